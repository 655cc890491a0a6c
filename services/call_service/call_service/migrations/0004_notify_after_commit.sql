-- The outbox and integration outbox no longer NOTIFY from an insert trigger.
-- A notifying transaction holds PostgreSQL's global notify lock through its
-- commit (WAL flush included), which serialised every event's commit: 626
-- inserts/s instead of 4,961 at 64 clients on a 2-core machine. The writers now
-- send one coalesced NOTIFY after commit (call_service/adapters/postgres/commit_signal.py);
-- the channel names and the listeners are unchanged.
DROP TRIGGER outbox_notify_after_insert ON outbox;
DROP FUNCTION outbox_notify();
DROP TRIGGER integration_outbox_notify_after_insert ON integration_outbox;
DROP FUNCTION integration_outbox_notify();
