import { describe, expect, it } from "vitest";
import { holdSeconds, talkSeconds, waitSeconds } from "@/lib/clocks";
import { formatDuration } from "@/lib/durations";
import { makeCall } from "./fixtures";

const at = (iso: string) => Date.parse(iso);

describe("clocks", () => {
  it("a waiting call's wait runs from its start", () => {
    const call = makeCall({ id: "c", start_time: "2026-01-01T10:00:00Z" });
    expect(waitSeconds(call, at("2026-01-01T10:01:05Z"))).toBe(65);
    expect(talkSeconds(call, at("2026-01-01T10:01:05Z"))).toBeNull();
  });

  it("an answered call's wait stops at the answer (the producer's wait_time first)", () => {
    const call = makeCall({ id: "c", status: "active", answered_at: "2026-01-01T10:00:30Z" });
    expect(waitSeconds(call, at("2026-01-01T10:05:00Z"))).toBe(30);
    expect(waitSeconds({ ...call, wait_time: 41 }, at("2026-01-01T10:05:00Z"))).toBe(41);
  });

  it("talk runs from the answer, less holds, and hold includes the running one", () => {
    const call = makeCall({
      id: "c",
      status: "on_hold",
      answered_at: "2026-01-01T10:00:00Z",
      hold_total: 20,
      hold_started_at: "2026-01-01T10:02:00Z",
    });
    const now = at("2026-01-01T10:02:30Z");
    expect(holdSeconds(call, now)).toBe(50);
    expect(talkSeconds(call, now)).toBe(100);
  });

  it("an ended call's clocks stop at its end", () => {
    const call = makeCall({
      id: "c",
      status: "ended",
      answered_at: "2026-01-01T10:00:10Z",
      end_time: "2026-01-01T10:03:10Z",
      hold_total: 30,
    });
    expect(talkSeconds(call, at("2026-01-02T00:00:00Z"))).toBe(150);
    expect(holdSeconds(call, at("2026-01-02T00:00:00Z"))).toBe(30);
    const abandoned = makeCall({ id: "a", status: "ended", end_time: "2026-01-01T10:00:12Z" });
    expect(waitSeconds(abandoned, at("2026-01-02T00:00:00Z"))).toBe(12);
  });

  it("never goes negative when clocks disagree", () => {
    const call = makeCall({ id: "c", start_time: "2026-01-01T10:00:10Z" });
    expect(waitSeconds(call, at("2026-01-01T10:00:00Z"))).toBe(0);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [42.9, "42s"],
    [65, "1m 05s"],
    [600, "10m 00s"],
    [3725, "1h 02m 05s"],
    [null, "—"],
    [Number.NaN, "—"],
  ])("%s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
