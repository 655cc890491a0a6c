/** A fixed-size series of samples for the trend charts: appends, dropping the oldest. */
export interface Sample {
  at: number;
  value: number | null;
}

export function pushSample(series: readonly Sample[], sample: Sample, capacity: number): Sample[] {
  const next = series.length >= capacity ? series.slice(series.length - capacity + 1) : series.slice();
  next.push(sample);
  return next;
}
