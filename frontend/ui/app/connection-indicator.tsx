"use client";

import { useConnection } from "./use-connection";

const LABELS = { connected: "Live", connecting: "Connecting…", disconnected: "Disconnected" } as const;

export function ConnectionIndicator() {
  const { state, error } = useConnection();
  return (
    <span
      className={`connection connection-${state}`}
      data-testid="connection"
      data-state={state}
      role="status"
      title={error ?? (state === "connected" ? "Receiving live updates" : undefined)}
    >
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
      {state === "disconnected" && error ? <span className="sr-only">: {error}</span> : null}
    </span>
  );
}
