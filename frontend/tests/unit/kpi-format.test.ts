import { describe, expect, it } from "vitest";
import { formatCount, formatPercent, formatSeconds, serviceLevelTone } from "@/lib/kpi-format";
import { pushSample } from "@/lib/ring-buffer";
import { filtersToQuery, parseFilters } from "@/lib/call-filters";
import { keyFromHash } from "@/lib/api-key";
import { readRuntimeConfig } from "@/lib/runtime-config";
import { ApiError, describeError, parseProblem } from "@/lib/api";

describe("KPI formatting", () => {
  it.each([
    [0.766, "76.6%"],
    [0.8, "80%"],
    [1, "100%"],
    [0, "0%"],
    [0.12345, "12.3%"],
    [null, "—"],
  ])("percent %s → %s", (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  it("formats seconds and counts, null as a dash", () => {
    expect(formatSeconds(14.8)).toBe("14s");
    expect(formatSeconds(312.5)).toBe("5m 12s");
    expect(formatSeconds(null)).toBe("—");
    expect(formatCount(1200)).toBe("1,200");
    expect(formatCount(null)).toBe("—");
  });

  it("colours service level against the queue's target", () => {
    expect(serviceLevelTone(0.85, 0.8)).toBe("good");
    expect(serviceLevelTone(0.8, 0.8)).toBe("good");
    expect(serviceLevelTone(0.75, 0.8)).toBe("warn");
    expect(serviceLevelTone(0.5, 0.8)).toBe("bad");
    expect(serviceLevelTone(null, 0.8)).toBe("none");
  });

  it("keeps the trend ring buffer at its capacity", () => {
    let series = pushSample([], { at: 1, value: 1 }, 3);
    for (let i = 2; i <= 5; i++) series = pushSample(series, { at: i, value: i }, 3);
    expect(series.map((s) => s.value)).toEqual([3, 4, 5]);
  });
});

describe("small helpers", () => {
  it("filters round-trip through the URL query; unknown statuses are dropped", () => {
    expect(parseFilters(new URLSearchParams("status=live&queue=q1"))).toEqual({ status: "live", queueId: "q1" });
    expect(parseFilters(new URLSearchParams("status=bogus"))).toEqual({ status: "", queueId: "" });
    expect(filtersToQuery({ status: "on_hold", queueId: "" })).toBe("?status=on_hold");
    expect(filtersToQuery({ status: "", queueId: "" })).toBe("");
  });

  it("reads the key from the fragment", () => {
    expect(keyFromHash("#key=abc-123")).toBe("abc-123");
    expect(keyFromHash("#other=1")).toBeNull();
    expect(keyFromHash("")).toBeNull();
  });

  it("reads the service URLs from the environment at request time", () => {
    expect(readRuntimeConfig({})).toEqual({ callServiceUrl: "http://127.0.0.1:8000", realtimeUrl: "http://127.0.0.1:8001" });
    expect(readRuntimeConfig({ CALL_SERVICE_URL: "https://api.example/", REALTIME_URL: "https://rt.example" })).toEqual({
      callServiceUrl: "https://api.example",
      realtimeUrl: "https://rt.example",
    });
  });

  it("parses problem+json and explains 401, 403 and a service that is down", () => {
    const problem = parseProblem({ type: "t", title: "Forbidden", status: 403, detail: "This API key lacks the admin scope." });
    expect(problem?.title).toBe("Forbidden");
    expect(parseProblem("nope")).toBeNull();
    expect(describeError(new ApiError(401, null, "x"))).toMatch(/refused/);
    expect(describeError(new ApiError(403, problem, "x"))).toMatch(/lacks the admin scope/);
    expect(describeError(new ApiError(0, null, "The call service at http://h cannot be reached"))).toMatch(/cannot be reached/);
  });
});

import { alertFromMessage, mergeAlerts } from "@/lib/alert-list";

describe("alerts list", () => {
  const base = { agent_id: null, call_id: "c", queue_id: "q", detail: "d", kind: "sla_breached" };
  it("merges live alerts by id, newest first, keeping acknowledgements", () => {
    const first = alertFromMessage({ ...base, id: "a1", at: "2026-01-01T10:00:00Z" });
    const acked = { ...first, acknowledged_at: "2026-01-01T10:01:00Z", acknowledged_by: "sup" };
    const second = alertFromMessage({ ...base, id: "a2", at: "2026-01-01T10:02:00Z" });
    const merged = mergeAlerts([acked], [first, second]);
    expect(merged.map((a) => a.id)).toEqual(["a2", "a1"]);
    expect(merged[1]?.acknowledged_at).not.toBeNull();
  });
});
