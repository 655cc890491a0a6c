/** Formatting of KPI values: ratios, seconds and counts; null always shows as "—". */
export { formatDuration as formatSeconds } from "./durations";

/** A ratio 0..1 → "76.6%" (one decimal, none at 0 or 100 %); null → "—". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  const pct = Math.round(ratio * 1000) / 10;
  return Number.isInteger(pct) ? `${pct}%` : `${pct.toFixed(1)}%`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en-US");
}

export type Tone = "good" | "warn" | "bad" | "none";

/** Service level against the queue's target: met, within 10 points below, or further below. */
export function serviceLevelTone(level: number | null, target: number): Tone {
  if (level === null) return "none";
  if (level >= target) return "good";
  if (level >= target - 0.1) return "warn";
  return "bad";
}
