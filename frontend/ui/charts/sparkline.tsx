import type { Sample } from "@/lib/ring-buffer";

/** A small inline SVG line of the samples (nulls leave gaps), scaled to its own range. */
export function Sparkline({
  samples,
  label,
  width = 160,
  height = 36,
  min = 0,
  max,
}: {
  samples: readonly Sample[];
  label: string;
  width?: number;
  height?: number;
  min?: number;
  max?: number;
}) {
  const values = samples.map((s) => s.value).filter((v): v is number => v !== null);
  const top = max ?? Math.max(1, ...values);
  const span = top - min || 1;
  const step = samples.length > 1 ? width / (samples.length - 1) : 0;
  let path = "";
  let pen = false;
  samples.forEach((sample, i) => {
    if (sample.value === null) {
      pen = false;
      return;
    }
    const x = i * step;
    const y = height - 2 - ((sample.value - min) / span) * (height - 4);
    path += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)} `;
    pen = true;
  });
  const last = values.length ? values[values.length - 1] : null;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${samples.length} samples${last !== null ? `, latest ${Math.round(last * 100) / 100}` : ""}`}>
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} className="sparkline-axis" />
      {path ? <path d={path} className="sparkline-line" /> : null}
    </svg>
  );
}
