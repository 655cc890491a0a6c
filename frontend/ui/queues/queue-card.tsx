import { memo } from "react";
import Link from "next/link";
import type { Queue, QueueStats } from "@/lib/contracts";
import { formatCount, formatPercent, formatSeconds, serviceLevelTone } from "@/lib/kpi-format";
import type { Sample } from "@/lib/ring-buffer";
import { Sparkline } from "@/ui/charts/sparkline";

export const QueueCard = memo(function QueueCard({
  queue,
  stats,
  waitingTrend,
  levelTrend,
}: {
  queue: Queue;
  stats: QueueStats | null;
  waitingTrend: readonly Sample[];
  levelTrend: readonly Sample[];
}) {
  const level = stats?.service_level ?? null;
  const tone = serviceLevelTone(level, queue.service_level_target);
  return (
    <article className="card queue-card" data-testid={`queue-card-${queue.id}`} aria-labelledby={`queue-${queue.id}`}>
      <header>
        <h2 id={`queue-${queue.id}`}>{queue.name}</h2>
        <Link href={`/?queue=${encodeURIComponent(queue.id)}&status=live`} className="muted">
          {queue.id} · live calls
        </Link>
      </header>
      <div className={`service-level tone-${tone}`} data-tone={tone}>
        <span className="kpi-label">Service level</span>
        <span className="kpi-big">{formatPercent(level)}</span>
        <span className="muted">target {formatPercent(queue.service_level_target)} in {queue.sla_seconds}s</span>
      </div>
      <dl className="kpis">
        <div><dt>Waiting now</dt><dd data-kpi="waiting_now">{formatCount(stats?.waiting_now)}</dd></div>
        <div><dt>Longest wait</dt><dd>{formatSeconds(stats?.longest_current_wait_s)}</dd></div>
        <div><dt>ASA</dt><dd>{formatSeconds(stats?.asa_s)}</dd></div>
        <div><dt>AHT</dt><dd>{formatSeconds(stats?.aht_s)}</dd></div>
        <div><dt>Abandonment</dt><dd>{formatPercent(stats?.abandonment_rate)}</dd></div>
        <div><dt>Offered / answered</dt><dd>{formatCount(stats?.offered)} / {formatCount(stats?.answered)}</dd></div>
      </dl>
      <div className="trends">
        <figure>
          <Sparkline samples={waitingTrend} label={`Calls waiting in ${queue.name}`} />
          <figcaption>waiting</figcaption>
        </figure>
        <figure>
          <Sparkline samples={levelTrend} label={`Service level of ${queue.name}`} max={1} />
          <figcaption>service level</figcaption>
        </figure>
      </div>
    </article>
  );
});
