"use client";

import Link from "next/link";
import { memo } from "react";
import { holdSeconds, talkSeconds, waitSeconds } from "@/lib/clocks";
import type { Call } from "@/lib/contracts";
import { formatDuration } from "@/lib/durations";
import { CallFlags } from "./call-flags";
import { statusLabel } from "./status-label";

/** One row; re-renders only when its call changes or (for calls in progress) the clock ticks. */
export const CallRow = memo(
  function CallRow({ call, now, top, height }: { call: Call; now: number; top: number; height: number }) {
    return (
      <div
        role="row"
        className={`call-row status-${call.status}`}
        data-testid={`call-row-${call.id}`}
        data-status={call.status}
        style={{ transform: `translateY(${top}px)`, height }}
      >
        <span role="cell" className="col-id">
          <Link href={`/calls/${encodeURIComponent(call.id)}`}>{call.id}</Link>
        </span>
        <span role="cell" className="col-status">
          <span className={`status-pill status-pill-${call.status}`}>{statusLabel(call.status)}</span>
        </span>
        <span role="cell" className="col-queue">{call.queue_id ?? "—"}</span>
        <span role="cell" className="col-media">{call.media ?? "—"}</span>
        <span role="cell" className="col-agent">{call.agent_id ?? "—"}</span>
        <span role="cell" className="col-clock">{formatDuration(waitSeconds(call, now))}</span>
        <span role="cell" className="col-clock">{formatDuration(talkSeconds(call, now))}</span>
        <span role="cell" className="col-clock">{formatDuration(holdSeconds(call, now))}</span>
        <span role="cell" className="col-flags">
          <CallFlags flags={call.flags} />
        </span>
      </div>
    );
  },
  (a, b) =>
    a.call === b.call && a.top === b.top && a.height === b.height && (a.now === b.now || a.call.status === "ended"),
);
