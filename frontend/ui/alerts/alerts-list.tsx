"use client";

import Link from "next/link";
import { memo, useState } from "react";
import { describeError } from "@/lib/api";
import type { Alert } from "@/lib/contracts";
import { ProblemMessage } from "@/ui/app/problem-message";
import { alertKindLabel } from "./alert-kind";
import { useAlerts } from "./alerts-provider";

export function AlertsList() {
  const { alerts, error, loaded, acknowledge } = useAlerts();
  const [onlyOpen, setOnlyOpen] = useState(false);
  const shown = onlyOpen ? alerts.filter((a) => a.acknowledged_at === null) : alerts;
  return (
    <section aria-labelledby="alerts-title">
      <div className="page-head">
        <h1 id="alerts-title">Alerts</h1>
        <label className="inline-control">
          <input type="checkbox" checked={onlyOpen} onChange={(e) => setOnlyOpen(e.target.checked)} />
          Unacknowledged only
        </label>
      </div>
      <ProblemMessage error={error} />
      {loaded && shown.length === 0 ? <p className="muted">No alerts.</p> : null}
      <ul className="alert-list">
        {shown.map((alert) => (
          <AlertItem key={alert.id} alert={alert} acknowledge={acknowledge} />
        ))}
      </ul>
    </section>
  );
}

const AlertItem = memo(function AlertItem({
  alert,
  acknowledge,
}: {
  alert: Alert;
  acknowledge: (id: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const acked = alert.acknowledged_at !== null;
  const onAck = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await acknowledge(alert.id);
    } catch (cause) {
      setFailure(describeError(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      className={`alert-item ${acked ? "alert-acked" : `alert-open alert-kind-${alert.kind}`}`}
      data-testid={`alert-${alert.id}`}
      data-acknowledged={acked ? "true" : "false"}
    >
      <div className="alert-main">
        <strong>{alertKindLabel(alert.kind)}</strong>
        <time dateTime={alert.at}>{new Date(alert.at).toLocaleTimeString()}</time>
        {alert.call_id ? (
          <Link href={`/calls/${encodeURIComponent(alert.call_id)}`}>call {alert.call_id}</Link>
        ) : null}
        {alert.queue_id ? <span>queue {alert.queue_id}</span> : null}
        {alert.agent_id ? <span>agent {alert.agent_id}</span> : null}
      </div>
      <p className="alert-detail">{alert.detail}</p>
      {failure ? (
        <p className="problem" role="alert">
          {failure}
        </p>
      ) : null}
      <div className="alert-actions">
        {acked ? (
          <span className="muted">
            Acknowledged {new Date(alert.acknowledged_at!).toLocaleTimeString()}
            {alert.acknowledged_by ? ` by ${alert.acknowledged_by}` : ""}
          </span>
        ) : (
          <button type="button" onClick={onAck} disabled={busy}>
            Acknowledge
          </button>
        )}
      </div>
    </li>
  );
});
