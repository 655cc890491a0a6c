/** The alerts panel's list: fetched pages and live `alert` messages, newest first, once each. */
import type { Alert, AlertMessage } from "./contracts";

export function alertFromMessage(message: AlertMessage): Alert {
  return {
    ...message,
    kind: message.kind as Alert["kind"],
    acknowledged_at: null,
    acknowledged_by: null,
  };
}

/** Merge alerts by id (a later version of one alert replaces it), newest `at` first. */
export function mergeAlerts(current: readonly Alert[], incoming: readonly Alert[], limit = 500): Alert[] {
  const byId = new Map(current.map((a) => [a.id, a] as const));
  for (const alert of incoming) {
    const known = byId.get(alert.id);
    // an acknowledgement is never undone by an older copy without one
    byId.set(alert.id, known && known.acknowledged_at && !alert.acknowledged_at ? known : alert);
  }
  return [...byId.values()]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
}
