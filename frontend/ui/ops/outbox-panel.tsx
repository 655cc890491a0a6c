"use client";

import { useCallback, useState } from "react";
import { fetchOutbox } from "@/lib/api";
import type { OutboxStatus } from "@/lib/contracts";
import { formatCount, formatSeconds } from "@/lib/kpi-format";
import { pushSample, type Sample } from "@/lib/ring-buffer";
import { ProblemMessage } from "@/ui/app/problem-message";
import { useSession } from "@/ui/app/session-context";
import { usePolling } from "@/ui/app/use-polling";
import { Sparkline } from "@/ui/charts/sparkline";

const POLL_MS = 3000;
const CAPACITY = 100; // five minutes

export function OutboxPanel() {
  const { conn } = useSession();
  const [published, setPublished] = useState<Sample[]>([]);
  const [pending, setPending] = useState<Sample[]>([]);
  const load = useCallback(() => fetchOutbox(conn), [conn]);
  const record = useCallback((status: OutboxStatus) => {
    const at = Date.now();
    setPublished((s) => pushSample(s, { at, value: status.published_last_minute }, CAPACITY));
    setPending((s) => pushSample(s, { at, value: status.pending }, CAPACITY));
  }, []);
  const { data, error } = usePolling(load, POLL_MS, record);
  return (
    <section aria-labelledby="outbox-title" className="card">
      <h2 id="outbox-title">Outbox (relay to Redis)</h2>
      <ProblemMessage error={error} />
      <dl className="kpis">
        <div><dt>Pending</dt><dd data-testid="outbox-pending">{formatCount(data?.pending)}</dd></div>
        <div><dt>Oldest pending</dt><dd>{formatSeconds(data?.oldest_pending_age_s)}</dd></div>
        <div><dt>Published last minute</dt><dd>{formatCount(data?.published_last_minute)}</dd></div>
        <div className={data && data.failing > 0 ? "tone-bad" : undefined}><dt>Failing</dt><dd>{formatCount(data?.failing)}</dd></div>
      </dl>
      <div className="trends">
        <figure>
          <Sparkline samples={published} label="Events published in the last minute, over time" width={420} height={80} />
          <figcaption>publish rate (events in the last minute), sampled every 3 s</figcaption>
        </figure>
        <figure>
          <Sparkline samples={pending} label="Pending outbox rows over time" width={420} height={80} />
          <figcaption>pending rows</figcaption>
        </figure>
      </div>
    </section>
  );
}
