"use client";

import Link from "next/link";
import { notFound } from "next/navigation";
import { ProblemMessage } from "@/ui/app/problem-message";
import { CallSummary } from "./call-summary";
import { Timeline } from "./timeline";
import { useCallDetail } from "./use-call-detail";

export function CallDetailView({ callId }: { callId: string }) {
  const { state, error, notFound: missing } = useCallDetail(callId);
  if (missing && state.call === null) notFound();
  return (
    <section aria-labelledby="call-title" className="detail-page">
      <p>
        <Link href="/">← All calls</Link>
      </p>
      <h1 id="call-title">Call {callId}</h1>
      <ProblemMessage error={error} />
      {state.call ? <CallSummary call={state.call} /> : <p className="page-status">Loading call…</p>}
      <h2>Timeline</h2>
      <Timeline events={state.events} />
    </section>
  );
}
