"use client";

import Link from "next/link";
import { useEffect } from "react";
import { useAlerts } from "./alerts-provider";
import { alertKindLabel } from "./alert-kind";

/** A discreet notification in a corner for a few seconds when a new alert arrives. */
export function AlertToast() {
  const { latest, dismissLatest } = useAlerts();
  useEffect(() => {
    if (!latest) return;
    const timer = setTimeout(dismissLatest, 6000);
    return () => clearTimeout(timer);
  }, [latest, dismissLatest]);
  if (!latest) return null;
  return (
    <div className="toast" role="status" aria-live="polite" data-testid="alert-toast">
      <strong>{alertKindLabel(latest.kind)}</strong>
      <span>
        {latest.call_id ? <Link href={`/calls/${encodeURIComponent(latest.call_id)}`}>{latest.call_id}</Link> : null}
        {latest.queue_id ? ` · ${latest.queue_id}` : ""}
      </span>
      <Link href="/alerts">All alerts</Link>
      <button type="button" className="link-button" onClick={dismissLatest} aria-label="Dismiss notification">
        ×
      </button>
    </div>
  );
}
