import type { Call, CallEvent, CallEventMessage, EventType } from "@/lib/contracts";

export function makeCall(overrides: Partial<Call> & { id: string }): Call {
  return {
    agent_id: null,
    answered_at: null,
    duration: null,
    end_reason: null,
    end_time: null,
    flags: [],
    hold_started_at: null,
    hold_total: 0,
    last_seq: 1,
    media: "voice",
    queue_id: "q1",
    start_time: "2026-01-01T10:00:00Z",
    status: "waiting",
    transfer_count: 0,
    updated_at: "2026-01-01T10:00:00Z",
    wait_time: null,
    ...overrides,
  };
}

export function message(call: Call, type: EventType = "call_routed", seq = call.last_seq): CallEventMessage {
  const event: CallEvent = {
    id: `${call.id}-${seq}`,
    event_id: null,
    call_id: call.id,
    seq,
    type,
    timestamp: call.updated_at,
    received_at: call.updated_at,
    data: {},
  };
  return { event, call };
}
