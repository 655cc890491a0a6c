import { describe, expect, it } from "vitest";
import { resumePoint } from "@/lib/socket";

describe("where a room's subscription resumes after a reconnect", () => {
  it("a room resumes from its lowest joiner, and not at all if one cannot", () => {
    expect(resumePoint([{ resumeFrom: () => 7 }, { resumeFrom: () => 4 }])).toBe(4);
    expect(resumePoint([{ resumeFrom: () => 7 }, { resumeFrom: () => null }])).toBeNull();
    expect(resumePoint([{ resumeFrom: () => 7 }, {}])).toBeNull();
    expect(resumePoint([])).toBeNull();
    expect(resumePoint(undefined)).toBeNull();
  });
});
