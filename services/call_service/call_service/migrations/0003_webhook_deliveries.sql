-- Webhook deliveries: one row per (integration_outbox row, subscribed webhook), and a log
-- of every HTTP attempt. Driven by `python -m call_service.webhooks`, never by the relay.

-- status: pending (due at next_attempt_at) → in_flight (claimed by a worker; for these,
-- next_attempt_at is when the claim expires and another worker may take it over) →
-- delivered, or dead after the attempt budget is spent. Redelivery resets to pending.
-- payload is a snapshot of the IntegrationEvent, so the outbox row may be purged.
CREATE TABLE webhook_deliveries (
    id                    uuid PRIMARY KEY,
    webhook_id            uuid NOT NULL,
    integration_outbox_id bigint NOT NULL,
    event_type            text NOT NULL,
    payload               jsonb NOT NULL,
    correlation_id        text,
    status                text NOT NULL DEFAULT 'pending',
    attempts              integer NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    last_error            text,
    last_status_code      integer,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    delivered_at          timestamptz,
    CONSTRAINT webhook_deliveries_webhook_fkey
        FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_outbox_webhook_key UNIQUE (integration_outbox_id, webhook_id),
    CONSTRAINT webhook_deliveries_status_known
        CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead')),
    CONSTRAINT webhook_deliveries_attempts_nonnegative CHECK (attempts >= 0),
    CONSTRAINT webhook_deliveries_delivered_at_set
        CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);

-- Claiming: per webhook, the due rows that are pending or whose claim has expired.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, next_attempt_at, id)
    WHERE status IN ('pending', 'in_flight');
-- Listing per webhook, newest first, optionally by status (keyset on created_at, id).
CREATE INDEX webhook_deliveries_webhook_created_idx
    ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_webhook_status_created_idx
    ON webhook_deliveries (webhook_id, status, created_at DESC, id DESC);

CREATE TABLE webhook_delivery_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    delivery_id  uuid NOT NULL,
    attempted_at timestamptz NOT NULL,
    duration_ms  double precision NOT NULL,
    status_code  integer,
    error        text,
    CONSTRAINT webhook_delivery_attempts_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_delivery_attempts_delivery_fkey
        FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    CONSTRAINT webhook_delivery_attempts_duration_nonnegative CHECK (duration_ms >= 0),
    CONSTRAINT webhook_delivery_attempts_outcome_known
        CHECK (status_code IS NOT NULL OR error IS NOT NULL)
);
CREATE INDEX webhook_delivery_attempts_delivery_idx
    ON webhook_delivery_attempts (delivery_id, id);

-- Wake the senders when a delivery becomes due: created by the dispatcher, or reset by
-- a redelivery. pg_notify folds identical notifications of one transaction into one.
CREATE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('webhook_deliveries_pending', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER webhook_deliveries_notify_after_write
    AFTER INSERT OR UPDATE OF status ON webhook_deliveries
    FOR EACH ROW WHEN (NEW.status = 'pending')
    EXECUTE FUNCTION webhook_deliveries_notify();
