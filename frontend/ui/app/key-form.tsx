"use client";

import { type FormEvent, useState } from "react";

export function KeyForm({ onSubmit, callServiceUrl }: { onSubmit: (key: string) => void; callServiceUrl: string }) {
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onSubmit(value);
  };
  return (
    <main className="key-page">
      <form className="key-form" onSubmit={submit}>
        <h1>Call center dashboard</h1>
        <p>
          Enter an API key with the <code>calls:read</code> scope (and <code>alerts:ack</code> to acknowledge
          alerts). It is kept for this browser tab only.
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          aria-label="API key"
          type="password"
          autoComplete="off"
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" disabled={!value.trim()}>
          Open the dashboard
        </button>
        <p className="muted">Call service: {callServiceUrl}</p>
      </form>
    </main>
  );
}
