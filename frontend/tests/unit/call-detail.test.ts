import { describe, expect, it } from "vitest";
import { applyDetailEvent, emptyDetail, mergeFetched, resumeFrom } from "@/lib/call-detail";
import { makeCall, message } from "./fixtures";

describe("merging call_event messages into the detail", () => {
  const c1 = makeCall({ id: "c", last_seq: 1 });
  const c2 = makeCall({ id: "c", status: "routed", last_seq: 2 });
  const c3 = makeCall({ id: "c", status: "active", last_seq: 3 });

  it("appends live events in seq order and replaces the call", () => {
    let state = mergeFetched(emptyDetail("c"), c1, [message(c1, "call_initiated").event]);
    state = applyDetailEvent(state, message(c2, "call_routed"));
    state = applyDetailEvent(state, message(c3, "call_answered"));
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(state.call?.status).toBe("active");
  });

  it("ignores duplicates and older events", () => {
    let state = mergeFetched(emptyDetail("c"), c3, [1, 2, 3].map((s) => message({ ...c3, last_seq: s }, "call_routed", s).event));
    const before = state;
    state = applyDetailEvent(state, message(c2, "call_routed"));
    state = applyDetailEvent(state, message(c3, "call_answered"));
    expect(state).toBe(before);
  });

  it("ignores events of other calls", () => {
    const state = emptyDetail("c");
    expect(applyDetailEvent(state, message(makeCall({ id: "other" }), "call_initiated"))).toBe(state);
  });

  it("a fetch merges with live events by seq and keeps the newer call", () => {
    let state = applyDetailEvent(emptyDetail("c"), message(c3, "call_answered"));
    state = mergeFetched(state, c2, [message(c1, "call_initiated").event, message(c2).event]);
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(state.call?.last_seq).toBe(3);
  });
});

describe("resuming the call room after a reconnect", () => {
  const c3 = makeCall({ id: "c", status: "active", last_seq: 3 });
  const events = (...seqs: number[]) => seqs.map((s) => message({ ...c3, last_seq: s }, "call_routed", s).event);

  it("resumes from the highest seq when every event up to it is held", () => {
    expect(resumeFrom(mergeFetched(emptyDetail("c"), c3, events(1, 2, 3)))).toBe(3);
  });

  it("does not resume before anything is held, or with a hole in the timeline", () => {
    expect(resumeFrom(emptyDetail("c"))).toBeNull();
    expect(resumeFrom(applyDetailEvent(emptyDetail("c"), message(c3, "call_answered")))).toBeNull();
    expect(resumeFrom(mergeFetched(emptyDetail("c"), c3, events(1, 3)))).toBeNull();
  });

  it("a replayed backlog followed by live events extends the timeline once each", () => {
    let state = mergeFetched(emptyDetail("c"), c3, events(1, 2));
    for (const s of [3, 4, 4, 5]) state = applyDetailEvent(state, message({ ...c3, last_seq: s }, "call_routed", s));
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(resumeFrom(state)).toBe(5);
  });

});
