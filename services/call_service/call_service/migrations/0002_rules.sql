-- Business rules: durable timers, supervisor alerts, agents, KPI inputs, integration outbox.

ALTER TABLE queues
    ADD COLUMN short_abandon_seconds double precision NOT NULL DEFAULT 5,
    ADD COLUMN service_level_includes_abandoned boolean NOT NULL DEFAULT true,
    ADD COLUMN service_level_target double precision NOT NULL DEFAULT 0.8,
    ADD CONSTRAINT queues_short_abandon_nonnegative CHECK (short_abandon_seconds >= 0),
    ADD CONSTRAINT queues_service_level_target_ratio
        CHECK (service_level_target > 0 AND service_level_target <= 1);

-- Per-call inputs of the KPIs and the agents' numbers, kept by the event transaction.
ALTER TABLE calls
    ADD COLUMN hold_started_at timestamptz,
    ADD COLUMN hold_total double precision NOT NULL DEFAULT 0,
    ADD COLUMN transfer_count integer NOT NULL DEFAULT 0;

-- KPI windows select calls of a queue by start_time and read only these columns.
CREATE INDEX calls_queue_start_kpi_idx ON calls (queue_id, start_time)
    INCLUDE (status, answered_at, end_time, end_reason, wait_time, hold_total, transfer_count);

-- One armed timer per (call, kind): arming again replaces it, cancelling deletes it,
-- firing deletes it in the transaction that writes the system event.
CREATE TABLE call_timers (
    call_id  text NOT NULL REFERENCES calls (id),
    kind     text NOT NULL,
    due_at   timestamptz NOT NULL,
    armed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_timers_pkey PRIMARY KEY (call_id, kind),
    CONSTRAINT call_timers_kind_known CHECK (kind IN ('sla', 'no_answer', 'max_hold'))
);
CREATE INDEX call_timers_due_at_idx ON call_timers (due_at);

CREATE TABLE alerts (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL,
    call_id         text REFERENCES calls (id),
    queue_id        text,
    agent_id        text,
    at              timestamptz NOT NULL,
    detail          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by text
);
CREATE INDEX alerts_at_idx ON alerts (at DESC, id DESC);
CREATE INDEX alerts_kind_at_idx ON alerts (kind, at DESC, id DESC);
CREATE INDEX alerts_queue_at_idx ON alerts (queue_id, at DESC, id DESC);
CREATE INDEX alerts_call_idx ON alerts (call_id);
CREATE INDEX alerts_unacknowledged_at_idx ON alerts (at DESC, id DESC)
    WHERE acknowledged_at IS NULL;

-- Agents' running totals, updated in the event transaction so reads never scan calls.
CREATE TABLE agents (
    id              text PRIMARY KEY,
    status          text NOT NULL DEFAULT 'idle',
    current_call_id text,
    offers          integer NOT NULL DEFAULT 0,
    answered        integer NOT NULL DEFAULT 0,
    missed          integer NOT NULL DEFAULT 0,
    wait_total      double precision NOT NULL DEFAULT 0,
    handled         integer NOT NULL DEFAULT 0,
    handle_total    double precision NOT NULL DEFAULT 0,
    hold_total      double precision NOT NULL DEFAULT 0,
    short_calls     integer NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agents_status_known CHECK (status IN ('idle', 'offered', 'on_call'))
);

-- Webhook subscriptions, and the outbox their deliveries are driven from. A row is
-- written only when some webhook wants its type (see integration_outbox.py).
CREATE TABLE webhooks (
    id          uuid PRIMARY KEY,
    url         text NOT NULL,
    event_types text[] NOT NULL,
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_event_types_idx ON webhooks USING gin (event_types);

CREATE TABLE integration_outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type     text NOT NULL,
    payload        jsonb NOT NULL,
    correlation_id text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    dispatched_at  timestamptz
);
CREATE INDEX integration_outbox_pending_idx ON integration_outbox (id)
    WHERE dispatched_at IS NULL;

CREATE FUNCTION integration_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('integration_outbox_pending', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER integration_outbox_notify_after_insert
    AFTER INSERT ON integration_outbox FOR EACH STATEMENT
    EXECUTE FUNCTION integration_outbox_notify();
