"use client";

import Link from "next/link";
import { holdSeconds, talkSeconds, waitSeconds } from "@/lib/clocks";
import type { Call } from "@/lib/contracts";
import { formatDuration } from "@/lib/durations";
import { useNow } from "@/ui/app/use-now";
import { CallFlags } from "@/ui/calls/call-flags";
import { statusLabel } from "@/ui/calls/status-label";

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

export function CallSummary({ call }: { call: Call }) {
  const now = useNow(1000);
  const items: [string, React.ReactNode][] = [
    ["Status", <span key="s" className={`status-pill status-pill-${call.status}`} data-testid="call-status" data-status={call.status}>{statusLabel(call.status)}</span>],
    ["Queue", call.queue_id ? <Link key="q" href={`/?queue=${encodeURIComponent(call.queue_id)}`}>{call.queue_id}</Link> : "—"],
    ["Media", call.media ?? "—"],
    ["Agent", call.agent_id ?? "—"],
    ["Started", time(call.start_time)],
    ["Answered", time(call.answered_at)],
    ["Ended", call.end_time ? `${time(call.end_time)} (${call.end_reason ?? "?"})` : "—"],
    ["Wait", formatDuration(waitSeconds(call, now))],
    ["Talk", formatDuration(talkSeconds(call, now))],
    ["Hold", formatDuration(holdSeconds(call, now))],
    ["Duration", formatDuration(call.duration)],
    ["Transfers", String(call.transfer_count)],
    ["Flags", call.flags.length ? <CallFlags key="f" flags={call.flags} /> : "none"],
    ["Events", String(call.last_seq)],
  ];
  return (
    <dl className="summary">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
