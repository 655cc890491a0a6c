"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Call } from "@/lib/contracts";
import { useNow } from "@/ui/app/use-now";
import { CallRow } from "./call-row";

const ROW_HEIGHT = 40;

/** The calls as a virtualized grid: only the rows in view are in the DOM. */
export function CallsTable({ ids, byId }: { ids: readonly string[]; byId: ReadonlyMap<string, Call> }) {
  const scroller = useRef<HTMLDivElement>(null);
  const now = useNow(1000);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (index) => ids[index] ?? index,
    initialRect: { width: 1280, height: 600 },
  });
  return (
    <div role="table" aria-label="Calls" aria-rowcount={ids.length + 1} className="calls-table">
      <div role="rowgroup">
        <div role="row" className="call-row call-head">
          <span role="columnheader">Call</span>
          <span role="columnheader">Status</span>
          <span role="columnheader">Queue</span>
          <span role="columnheader">Media</span>
          <span role="columnheader">Agent</span>
          <span role="columnheader">Wait</span>
          <span role="columnheader">Talk</span>
          <span role="columnheader">Hold</span>
          <span role="columnheader">Flags</span>
        </div>
      </div>
      <div ref={scroller} className="calls-scroll" role="rowgroup" tabIndex={0} aria-label="Call rows">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const call = byId.get(ids[item.index]!);
            return call ? <CallRow key={call.id} call={call} now={now} top={item.start} height={ROW_HEIGHT} /> : null;
          })}
        </div>
      </div>
      {ids.length === 0 ? <p className="empty">No calls match these filters.</p> : null}
    </div>
  );
}
