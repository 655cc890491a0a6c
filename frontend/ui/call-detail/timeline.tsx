import { SYSTEM_EVENT_TYPES } from "@/lib/call-detail";
import type { CallEvent } from "@/lib/contracts";

const LABELS: Record<string, string> = {
  call_initiated: "Call initiated",
  call_routed: "Routed",
  call_answered: "Answered",
  call_hold: "On hold",
  call_resumed: "Resumed",
  call_transferred: "Transferred",
  call_ended: "Ended",
  sla_breached: "SLA breached",
  call_retransfer: "Not answered: back to the queue",
  hold_exceeded: "Hold exceeded",
};

function describeData(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([name, value]) => `${name}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" · ");
}

/** The audit log, oldest first; system events (written by the service) stand out. */
export function Timeline({ events }: { events: readonly CallEvent[] }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.map((event) => {
        const system = SYSTEM_EVENT_TYPES.has(event.type);
        return (
          <li
            key={event.seq}
            className={`timeline-item${system ? " timeline-system" : ""}`}
            data-testid={`timeline-event-${event.seq}`}
            data-type={event.type}
          >
            <span className="timeline-seq">#{event.seq}</span>
            <time dateTime={event.timestamp}>{new Date(event.timestamp).toLocaleTimeString()}</time>
            <strong>{LABELS[event.type] ?? event.type}</strong>
            <span>{system ? <span className="system-tag">system</span> : null}</span>
            <span className="timeline-data">{describeData(event.data)}</span>
          </li>
        );
      })}
    </ol>
  );
}
