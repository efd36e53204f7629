-- The events the staged run's articles belong to, and those that upgraded articles left (table refetched of
-- pipeline.store.refetch), and whether each is new.
CREATE OR REPLACE TEMP TABLE touched_events AS
SELECT DISTINCT event_id, event_id NOT IN (SELECT event_id FROM events) AS is_new
FROM (SELECT event_id FROM staged_articles UNION ALL SELECT old_event FROM refetched WHERE upgraded)
