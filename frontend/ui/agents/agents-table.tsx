"use client";

import Link from "next/link";
import { useCallback } from "react";
import { fetchAgents } from "@/lib/api";
import { formatCount, formatPercent, formatSeconds } from "@/lib/kpi-format";
import { ProblemMessage } from "@/ui/app/problem-message";
import { useSession } from "@/ui/app/session-context";
import { usePolling } from "@/ui/app/use-polling";

const STATE_LABELS = { idle: "Idle", offered: "Offered", on_call: "On a call" } as const;

export function AgentsTable() {
  const { conn } = useSession();
  const load = useCallback(() => fetchAgents(conn), [conn]);
  const { data, error, loading } = usePolling(load, 5000);
  const agents = [...(data?.data ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  return (
    <section aria-labelledby="agents-title">
      <div className="page-head">
        <h1 id="agents-title">Agents</h1>
        <span className="muted">refreshed every 5 s</span>
      </div>
      <ProblemMessage error={error} />
      {loading && !data ? <p className="page-status">Loading agents…</p> : null}
      {data && agents.length === 0 ? <p className="muted">No agent has been offered a call yet.</p> : null}
      {agents.length ? (
        <table className="data-table">
          <caption className="sr-only">Agents and their numbers</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">State</th>
              <th scope="col">Current call</th>
              <th scope="col" className="num">Offers</th>
              <th scope="col" className="num">Answered</th>
              <th scope="col" className="num">Missed</th>
              <th scope="col" className="num">Answer rate</th>
              <th scope="col" className="num">Avg wait</th>
              <th scope="col" className="num">Handled</th>
              <th scope="col" className="num">AHT</th>
              <th scope="col" className="num">Hold total</th>
              <th scope="col" className="num">Short calls</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => (
              <tr key={agent.id} data-testid={`agent-row-${agent.id}`} data-state={agent.status}>
                <th scope="row">{agent.id}</th>
                <td>
                  <span className={`agent-state agent-${agent.status}`}>{STATE_LABELS[agent.status] ?? agent.status}</span>
                </td>
                <td>
                  {agent.current_call_id ? (
                    <Link href={`/calls/${encodeURIComponent(agent.current_call_id)}`}>{agent.current_call_id}</Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="num">{formatCount(agent.offers)}</td>
                <td className="num">{formatCount(agent.answered)}</td>
                <td className="num">{formatCount(agent.missed)}</td>
                <td className="num">{formatPercent(agent.answer_rate)}</td>
                <td className="num">{formatSeconds(agent.average_wait_s)}</td>
                <td className="num">{formatCount(agent.handled)}</td>
                <td className="num">{formatSeconds(agent.average_handle_s)}</td>
                <td className="num">{formatSeconds(agent.hold_total_s)}</td>
                <td className="num">{formatCount(agent.short_calls)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
