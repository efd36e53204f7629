-- The events the staged run's articles belong to, and whether each is new.
CREATE OR REPLACE TEMP TABLE touched_events AS
SELECT DISTINCT event_id, event_id NOT IN (SELECT event_id FROM events) AS is_new FROM staged_articles
