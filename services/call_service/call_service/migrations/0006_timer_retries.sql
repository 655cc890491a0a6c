-- A timer whose firing fails (a bug, a row the code cannot read) is retried later
-- instead of stopping the worker: its due time moves forward by a growing delay.
-- `fire_attempts` counts the failures since the timer was (re)armed; `failed_at` is
-- the last one, so the timer is failing while failed_at >= armed_at (re-arming the
-- timer sets armed_at and ends that). `last_error` is the error's class, never data.
ALTER TABLE call_timers
    ADD COLUMN IF NOT EXISTS fire_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS failed_at timestamptz,
    ADD COLUMN IF NOT EXISTS last_error text;

-- The worker counts failing timers every few seconds; few timers ever fail.
CREATE INDEX IF NOT EXISTS call_timers_failing_idx ON call_timers (call_id)
    WHERE failed_at >= armed_at;
