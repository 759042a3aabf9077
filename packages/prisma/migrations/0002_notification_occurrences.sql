-- Burst counts of notifications move from the notifier's process memory into the row, so every process (and a
-- standalone feed) sees the same count: `recordRepeat` increments `occurrences` and raises `last_occurred_at`.
-- One statement per `;` at a line end: the migrator splits on it and runs every statement in one transaction.

ALTER TABLE blueclerk_notifications
  ADD COLUMN occurrences integer NOT NULL DEFAULT 1,
  ADD COLUMN last_occurred_at timestamptz(3) NOT NULL DEFAULT now();

-- Existing rows: a new notification's last occurrence is its creation. Rows the notifier wrote before this migration
-- carried their count in data.occurrences / data.lastAt (epoch ms); keep those where they are numbers.
UPDATE blueclerk_notifications SET
  occurrences = CASE WHEN jsonb_typeof(data -> 'occurrences') = 'number'
    THEN GREATEST(1, LEAST(2147483647, floor((data ->> 'occurrences')::numeric)))::integer
    ELSE 1 END,
  last_occurred_at = CASE WHEN jsonb_typeof(data -> 'lastAt') = 'number'
    THEN GREATEST(created_at, to_timestamp((data ->> 'lastAt')::float8 / 1000))
    ELSE created_at END;
