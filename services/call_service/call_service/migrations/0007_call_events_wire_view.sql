-- The audit log as it goes on the wire: one row of call_events with exactly the fields
-- of the published CallEvent (packages/contracts/contracts/events.py), under its names
-- and in its types. Every reader of events reads this view and validates a row as it
-- comes (`CallEvent.model_validate`): the call service's event list and idempotent
-- replays, the realtime service's resume backlog. A reader that needs more of the row
-- (call_after, request_hash) joins call_events on (call_id, seq), its unique key.
-- A plain projection: PostgreSQL inlines it, so the indexes of call_events serve it.
CREATE OR REPLACE VIEW call_events_wire AS
SELECT id::text AS id,
       event_id,
       call_id,
       seq,
       type,
       occurred_at AS "timestamp",
       received_at,
       data
FROM call_events;
