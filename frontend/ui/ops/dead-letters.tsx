"use client";

import { useCallback, useState } from "react";
import { ApiError, describeError, fetchDeliveries, fetchWebhooks, redeliver } from "@/lib/api";
import type { Webhook, WebhookDelivery } from "@/lib/contracts";
import { ProblemMessage } from "@/ui/app/problem-message";
import { useSession } from "@/ui/app/session-context";
import { usePolling } from "@/ui/app/use-polling";

interface DeadLetters {
  webhook: Webhook;
  dead: WebhookDelivery[];
}

/** Webhook dead letters (admin scope), with redeliver. */
export function DeadLettersPanel() {
  const { conn } = useSession();
  const load = useCallback(async (): Promise<DeadLetters[]> => {
    const hooks = await fetchWebhooks(conn);
    return Promise.all(
      hooks.data.map(async (webhook) => ({
        webhook,
        dead: (await fetchDeliveries(conn, webhook.id, { status: "dead", limit: 50 })).data,
      })),
    );
  }, [conn]);
  const { data, error, refresh } = usePolling(load, 10_000);
  const [message, setMessage] = useState<string | null>(null);

  if (error instanceof ApiError && error.kind === "forbidden") {
    return (
      <section aria-labelledby="dead-title" className="card">
        <h2 id="dead-title">Webhook dead letters</h2>
        <p className="notice" data-testid="admin-needed">
          Webhooks are managed with the <code>admin</code> scope, which this key does not have. Sign in with an admin
          key to see and redeliver dead letters.
        </p>
      </section>
    );
  }

  const onRedeliver = async (webhookId: string, deliveryId: string) => {
    setMessage(null);
    try {
      await redeliver(conn, webhookId, deliveryId);
      setMessage(`Delivery ${deliveryId} is pending again.`);
      refresh();
    } catch (cause) {
      setMessage(describeError(cause));
    }
  };

  const total = (data ?? []).reduce((n, d) => n + d.dead.length, 0);
  return (
    <section aria-labelledby="dead-title" className="card">
      <h2 id="dead-title">Webhook dead letters</h2>
      <ProblemMessage error={error} />
      {message ? <p role="status">{message}</p> : null}
      {data && data.length === 0 ? <p className="muted">No webhook is registered.</p> : null}
      {data && data.length > 0 && total === 0 ? <p className="muted">No dead letters on {data.length} webhook(s).</p> : null}
      {(data ?? [])
        .filter((d) => d.dead.length > 0)
        .map(({ webhook, dead }) => (
          <div key={webhook.id}>
            <h3>{webhook.url}</h3>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Delivery</th>
                  <th scope="col">Event</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Attempts</th>
                  <th scope="col"><span className="sr-only">Action</span></th>
                </tr>
              </thead>
              <tbody>
                {dead.map((d) => (
                  <tr key={d.id} data-testid={`dead-letter-${d.id}`}>
                    <td><code>{d.id.slice(0, 8)}</code></td>
                    <td>{d.event_type}</td>
                    <td>{new Date(d.created_at).toLocaleString()}</td>
                    <td>{d.last_error ?? (d.last_status_code ? `HTTP ${d.last_status_code}` : "—")}</td>
                    <td>{d.attempts_log.length}</td>
                    <td>
                      <button type="button" onClick={() => onRedeliver(webhook.id, d.id)}>
                        Redeliver
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
