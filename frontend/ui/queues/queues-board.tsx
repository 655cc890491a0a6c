"use client";

import { useCallback, useState } from "react";
import { fetchQueues, fetchStats } from "@/lib/api";
import type { Queue, Stats } from "@/lib/contracts";
import { formatPercent, formatSeconds, formatCount } from "@/lib/kpi-format";
import { pushSample, type Sample } from "@/lib/ring-buffer";
import { ProblemMessage } from "@/ui/app/problem-message";
import { useSession } from "@/ui/app/session-context";
import { usePolling } from "@/ui/app/use-polling";
import { QueueCard } from "./queue-card";

const SAMPLE_MS = 10_000;
const CAPACITY = 60; // ten minutes of samples

interface Trends {
  waiting: Record<string, Sample[]>;
  level: Record<string, Sample[]>;
}

/** One card per queue: GET /api/queues + GET /api/stats?window=1h, sampled every 10 s. */
export function QueuesBoard() {
  const { conn } = useSession();
  const [trends, setTrends] = useState<Trends>({ waiting: {}, level: {} });
  const load = useCallback(async () => {
    const [queues, stats] = await Promise.all([fetchQueues(conn), fetchStats(conn, "1h")]);
    return { queues: queues.data, stats };
  }, [conn]);
  const record = useCallback((data: { queues: Queue[]; stats: Stats }) => {
    const at = Date.now();
    setTrends((current) => {
      const waiting = { ...current.waiting };
      const level = { ...current.level };
      for (const q of data.stats.queues) {
        const id = q.queue_id ?? "";
        waiting[id] = pushSample(waiting[id] ?? [], { at, value: q.waiting_now }, CAPACITY);
        level[id] = pushSample(level[id] ?? [], { at, value: q.service_level }, CAPACITY);
      }
      return { waiting, level };
    });
  }, []);
  const { data, error, loading } = usePolling(load, SAMPLE_MS, record);
  const byQueue = new Map((data?.stats.queues ?? []).map((s) => [s.queue_id, s] as const));
  const overall = data?.stats.overall;
  return (
    <section aria-labelledby="queues-title">
      <div className="page-head">
        <h1 id="queues-title">Queues</h1>
        {overall ? (
          <span className="muted">
            All queues, last hour: service level {formatPercent(overall.service_level)} · ASA {formatSeconds(overall.asa_s)} · AHT{" "}
            {formatSeconds(overall.aht_s)} · waiting {formatCount(overall.waiting_now)} · refreshed every 10 s
          </span>
        ) : null}
      </div>
      <ProblemMessage error={error} />
      {loading && !data ? <p className="page-status">Loading queues…</p> : null}
      <div className="card-grid">
        {(data?.queues ?? []).map((queue) => (
          <QueueCard
            key={queue.id}
            queue={queue}
            stats={byQueue.get(queue.id) ?? null}
            waitingTrend={trends.waiting[queue.id] ?? []}
            levelTrend={trends.level[queue.id] ?? []}
          />
        ))}
      </div>
    </section>
  );
}
