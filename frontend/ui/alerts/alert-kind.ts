const LABELS: Record<string, string> = {
  long_wait: "Long wait",
  sla_breached: "SLA breached",
  no_answer_reroute: "No answer, rerouted",
  hold_exceeded: "Hold exceeded",
  short_call_review: "Short call to review",
};

export const alertKindLabel = (kind: string) => LABELS[kind] ?? kind;
