import type { CallStatus } from "@/lib/contracts";

const LABELS: Record<CallStatus, string> = {
  waiting: "Waiting",
  routed: "Routed",
  active: "Active",
  on_hold: "On hold",
  ended: "Ended",
};

export const statusLabel = (status: CallStatus) => LABELS[status] ?? status;
