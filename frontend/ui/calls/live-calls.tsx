"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { fetchQueues } from "@/lib/api";
import { type CallFilters, filtersToQuery, parseFilters } from "@/lib/call-filters";
import type { Queue } from "@/lib/contracts";
import { ProblemMessage } from "@/ui/app/problem-message";
import { useSession } from "@/ui/app/session-context";
import { CallFiltersBar } from "./call-filters-bar";
import { CallsTable } from "./calls-table";
import { useLiveCalls } from "./use-live-calls";

export function LiveCalls() {
  const { conn } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const filters = parseFilters(new URLSearchParams(search.toString()));
  const [queues, setQueues] = useState<Queue[]>([]);
  const { state, error, loading, loadingOlder, loadOlder } = useLiveCalls(filters);

  useEffect(() => {
    fetchQueues(conn)
      .then((list) => setQueues(list.data))
      .catch(() => setQueues([]));
  }, [conn]);

  const onFilters = useCallback(
    (next: CallFilters) => router.push(`${pathname}${filtersToQuery(next)}`, { scroll: false }),
    [router, pathname],
  );

  return (
    <section aria-labelledby="calls-title" className="calls-page">
      <div className="page-head">
        <h1 id="calls-title">Live calls</h1>
        <CallFiltersBar filters={filters} queues={queues} onChange={onFilters} />
        <span className="muted" aria-live="polite">
          {loading ? "Loading…" : `${state.ids.length.toLocaleString("en-US")} calls${state.nextCursor ? " (more below)" : ""}`}
        </span>
      </div>
      <ProblemMessage error={error} />
      <CallsTable ids={state.ids} byId={state.byId} />
      <div className="pager">
        {state.nextCursor ? (
          <button type="button" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? "Loading…" : "Load older calls"}
          </button>
        ) : state.ids.length > 0 && !loading ? (
          <span className="muted">No older calls.</span>
        ) : null}
      </div>
    </section>
  );
}
