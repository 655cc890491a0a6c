import { describe, expect, it } from "vitest";
import { appendPage, applyCallEvents, emptyCallList, replaceFirstPage } from "@/lib/call-list";
import type { CallFilters } from "@/lib/call-filters";
import { makeCall, message } from "./fixtures";

const ALL: CallFilters = { status: "", queueId: "" };
const LIVE: CallFilters = { status: "live", queueId: "" };

const rows = (state: { ids: readonly string[] }) => state.ids;

describe("merging call_event messages into the list", () => {
  it("adds a new call at the top", () => {
    const old = makeCall({ id: "old", start_time: "2026-01-01T09:00:00Z" });
    let state = replaceFirstPage(emptyCallList(ALL), [old], null);
    state = applyCallEvents(state, [message(makeCall({ id: "new", start_time: "2026-01-01T10:00:00Z" }), "call_initiated")]);
    expect(rows(state)).toEqual(["new", "old"]);
  });

  it("replaces a row in place with the message's call", () => {
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    const b = makeCall({ id: "b", start_time: "2026-01-01T09:00:00Z" });
    let state = replaceFirstPage(emptyCallList(ALL), [a, b], null);
    state = applyCallEvents(state, [message({ ...b, status: "routed", agent_id: "ag", last_seq: 2 })]);
    expect(rows(state)).toEqual(["a", "b"]);
    expect(state.byId.get("b")?.status).toBe("routed");
  });

  it("applies a call's events in seq order and ignores duplicates", () => {
    const c1 = makeCall({ id: "c", last_seq: 1 });
    const c2 = { ...c1, status: "routed" as const, last_seq: 2 };
    const c3 = { ...c1, status: "active" as const, last_seq: 3 };
    let state = applyCallEvents(emptyCallList(ALL), [message(c1, "call_initiated"), message(c2), message(c3, "call_answered")]);
    const before = state;
    state = applyCallEvents(state, [message(c2), message(c3, "call_answered")]);
    expect(state).toBe(before);
    expect(state.byId.get("c")?.status).toBe("active");
    expect(state.lastSeq.get("c")).toBe(3);
  });

  it("ignores an older event arriving after a newer one", () => {
    const newer = makeCall({ id: "c", status: "active", last_seq: 3 });
    const older = makeCall({ id: "c", status: "routed", last_seq: 2 });
    const state = applyCallEvents(emptyCallList(ALL), [message(newer, "call_answered"), message(older)]);
    expect(state.byId.get("c")?.status).toBe("active");
  });

  it("removes a call that stops matching the status filter", () => {
    const c = makeCall({ id: "c", status: "active", last_seq: 3 });
    let state = replaceFirstPage(emptyCallList(LIVE), [c], null);
    state = applyCallEvents(state, [message({ ...c, status: "ended", last_seq: 4 }, "call_ended")]);
    expect(rows(state)).toEqual([]);
  });

  it("keeps calls of other queues out when filtered by queue", () => {
    const filters: CallFilters = { status: "", queueId: "q1" };
    const state = applyCallEvents(emptyCallList(filters), [
      message(makeCall({ id: "mine", queue_id: "q1" }), "call_initiated"),
      message(makeCall({ id: "other", queue_id: "q2" }), "call_initiated"),
    ]);
    expect(rows(state)).toEqual(["mine"]);
  });

  it("lets a call leave when transferred to another queue and come back later", () => {
    const filters: CallFilters = { status: "", queueId: "q1" };
    const c = makeCall({ id: "c", queue_id: "q1", status: "active", last_seq: 3 });
    let state = replaceFirstPage(emptyCallList(filters), [c], null);
    state = applyCallEvents(state, [message({ ...c, queue_id: "q2", status: "waiting", last_seq: 4 }, "call_transferred")]);
    expect(rows(state)).toEqual([]);
    state = applyCallEvents(state, [message({ ...c, queue_id: "q1", status: "waiting", last_seq: 5 }, "call_transferred")]);
    expect(rows(state)).toEqual(["c"]);
  });

  it("a call entering the status filter takes its place by start time", () => {
    const filters: CallFilters = { status: "waiting", queueId: "" };
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    const c = makeCall({ id: "c", start_time: "2026-01-01T08:00:00Z" });
    let state = replaceFirstPage(emptyCallList(filters), [a, c], null);
    const b = makeCall({ id: "b", start_time: "2026-01-01T09:00:00Z", status: "waiting", last_seq: 3 });
    state = applyCallEvents(state, [message(b, "call_retransfer")]);
    expect(rows(state)).toEqual(["a", "b", "c"]);
  });

  it("leaves a call older than the loaded rows to paging when older pages remain", () => {
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    let state = replaceFirstPage(emptyCallList(ALL), [a], "cursor-1");
    state = applyCallEvents(state, [message(makeCall({ id: "z", start_time: "2026-01-01T01:00:00Z", last_seq: 2 }))]);
    expect(rows(state)).toEqual(["a"]);
    state = appendPage(state, [makeCall({ id: "z", start_time: "2026-01-01T01:00:00Z", last_seq: 2 })], null);
    expect(rows(state)).toEqual(["a", "z"]);
  });
});

describe("pages and resync", () => {
  it("appending an older page skips rows already listed", () => {
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    const b = makeCall({ id: "b", start_time: "2026-01-01T09:00:00Z" });
    let state = replaceFirstPage(emptyCallList(ALL), [a], "cursor");
    state = appendPage(state, [a, b], null);
    expect(rows(state)).toEqual(["a", "b"]);
    expect(state.nextCursor).toBeNull();
  });

  it("a resync replaces the rows with the fetched page", () => {
    const stale = makeCall({ id: "stale", status: "waiting", start_time: "2026-01-01T10:30:00Z" });
    let state = replaceFirstPage(emptyCallList(LIVE), [stale], null);
    const fresh = makeCall({ id: "fresh", status: "active", last_seq: 3 });
    state = replaceFirstPage(state, [fresh], null);
    expect(rows(state)).toEqual(["fresh"]);
  });

  it("a resync keeps the newer live version of a call over an older fetched one", () => {
    const seenAtFetch = emptyCallList(ALL).lastSeq;
    const live = makeCall({ id: "c", status: "active", last_seq: 3 });
    let state = applyCallEvents(emptyCallList(ALL), [message(live, "call_answered")]);
    state = replaceFirstPage(state, [makeCall({ id: "c", status: "routed", last_seq: 2 })], null, seenAtFetch);
    expect(state.byId.get("c")?.status).toBe("active");
    // and the older event is still ignored afterwards
    state = applyCallEvents(state, [message(makeCall({ id: "c", status: "routed", last_seq: 2 }))]);
    expect(state.byId.get("c")?.status).toBe("active");
  });

  it("a resync keeps a call that arrived live while the page was being fetched", () => {
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    let state = replaceFirstPage(emptyCallList(ALL), [a], null);
    const seenAtFetch = state.lastSeq;
    state = applyCallEvents(state, [message(makeCall({ id: "n", start_time: "2026-01-01T11:00:00Z" }), "call_initiated")]);
    state = replaceFirstPage(state, [a], null, seenAtFetch);
    expect(rows(state)).toEqual(["n", "a"]);
  });

  it("a resync drops a row that changed before the fetch and is not on the page", () => {
    const c = makeCall({ id: "c", status: "active", last_seq: 3, start_time: "2026-01-01T11:00:00Z" });
    const a = makeCall({ id: "a", start_time: "2026-01-01T10:00:00Z" });
    let state = replaceFirstPage(emptyCallList(LIVE), [c, a], null);
    state = replaceFirstPage(state, [a], null, state.lastSeq);
    expect(rows(state)).toEqual(["a"]);
  });

  it("stays fast with 5,000 rows and a batch of 50 events", () => {
    const page = Array.from({ length: 5000 }, (_, i) =>
      makeCall({ id: `c${i}`, start_time: new Date(Date.UTC(2026, 0, 1) - i * 1000).toISOString() }),
    );
    let state = replaceFirstPage(emptyCallList(ALL), page, null);
    const batch = Array.from({ length: 50 }, (_, i) =>
      message({ ...page[i * 100]!, status: "routed", last_seq: 2 }),
    );
    const started = performance.now();
    state = applyCallEvents(state, batch);
    expect(performance.now() - started).toBeLessThan(50);
    expect(state.ids.length).toBe(5000);
    expect(state.byId.get("c100")?.status).toBe("routed");
  });
});
