-- The event pipeline: queues, calls, their audit log, and the transactional outbox.

CREATE TABLE queues (
    id                 text PRIMARY KEY,
    name               text NOT NULL,
    sla_seconds        double precision NOT NULL,
    no_answer_seconds  double precision NOT NULL,
    max_hold_seconds   double precision NOT NULL,
    short_call_seconds double precision NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queues_thresholds_positive CHECK (
        sla_seconds > 0 AND no_answer_seconds > 0 AND max_hold_seconds > 0
        AND short_call_seconds >= 0)
);

CREATE TABLE calls (
    id          text PRIMARY KEY,
    status      text NOT NULL,
    queue_id    text NOT NULL REFERENCES queues (id),
    media       text NOT NULL,
    agent_id    text,
    start_time  timestamptz NOT NULL,
    answered_at timestamptz,
    end_time    timestamptz,
    end_reason  text,
    wait_time   double precision,
    duration    double precision,
    flags       text[] NOT NULL DEFAULT '{}',
    last_seq    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL,
    CONSTRAINT calls_status_known CHECK (
        status IN ('waiting', 'routed', 'active', 'on_hold', 'ended'))
);

-- Keyset pagination is (start_time DESC, id DESC); each list filter has an index
-- leading with its column so a filtered page is an index range scan.
CREATE INDEX calls_start_time_idx ON calls (start_time DESC, id DESC);
CREATE INDEX calls_live_start_time_idx ON calls (start_time DESC, id DESC)
    WHERE status <> 'ended';
CREATE INDEX calls_status_start_time_idx ON calls (status, start_time DESC, id DESC);
CREATE INDEX calls_queue_start_time_idx ON calls (queue_id, start_time DESC, id DESC);
CREATE INDEX calls_agent_start_time_idx ON calls (agent_id, start_time DESC, id DESC)
    WHERE agent_id IS NOT NULL;
CREATE INDEX calls_flags_idx ON calls USING gin (flags);

CREATE TABLE call_events (
    id             uuid PRIMARY KEY,
    event_id       text,
    call_id        text NOT NULL REFERENCES calls (id),
    seq            integer NOT NULL,
    type           text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    data           jsonb NOT NULL,
    request_hash   text,
    call_after     jsonb NOT NULL,
    correlation_id text,
    CONSTRAINT call_events_call_seq_key UNIQUE (call_id, seq),
    CONSTRAINT call_events_event_id_key UNIQUE (event_id),
    CONSTRAINT call_events_seq_positive CHECK (seq >= 1)
);

-- One row per message to publish. `ordering_key` is the call id: the relay never
-- publishes a row while an older row of the same key is still pending.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ordering_key    text NOT NULL,
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    correlation_id  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);

CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON outbox (ordering_key, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wake relays on commit. One notification per statement, and PostgreSQL folds
-- identical notifications within a transaction, so a burst costs little.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_pending', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify_after_insert
    AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
