"use client";

import { useAlerts } from "./alerts-provider";

export function AlertBadge() {
  const { alerts } = useAlerts();
  const open = alerts.filter((a) => a.acknowledged_at === null).length;
  if (open === 0) return null;
  return (
    <span className="badge" data-testid="alert-badge" aria-label={`${open} unacknowledged alerts`}>
      {open > 99 ? "99+" : open}
    </span>
  );
}
