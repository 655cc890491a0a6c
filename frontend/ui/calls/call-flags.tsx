import type { CallFlag } from "@/lib/contracts";

const LABELS: Record<CallFlag, string> = {
  long_wait: "long wait",
  sla_breached: "SLA breached",
  hold_exceeded: "hold exceeded",
  short_call_review: "short call",
};

export function CallFlags({ flags }: { flags: readonly CallFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <span className="flags">
      {flags.map((flag) => (
        <span key={flag} className={`flag flag-${flag}`} data-flag={flag}>
          {LABELS[flag] ?? flag}
        </span>
      ))}
    </span>
  );
}
