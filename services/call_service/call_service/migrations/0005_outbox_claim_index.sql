-- The relay's claim must not depend on fresh statistics. When the outbox was last
-- analysed while (nearly) every row was published and a backlog has built up since,
-- the planner believed the pending indexes empty and looked each head's key up by
-- scanning every pending row: 1.2-2.7 s per 500-row claim on a 20,000-row backlog
-- instead of 4 ms (docs/performance.md). The claim now finds heads by walking this
-- index in id order, and its key lookups can only use outbox_pending_key_idx
-- (ordering_key, id): `attempts >= 0` (always true) keeps this index out of them.
CREATE INDEX outbox_pending_order_idx ON outbox (id) WHERE published_at IS NULL AND attempts >= 0;
DROP INDEX outbox_pending_idx;
