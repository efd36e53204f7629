-- The events the staged run's articles belong to, those that upgraded articles left (table refetched of
-- pipeline.store.refetch) and those stored articles left or joined (``moved_events``), and whether each is new.
CREATE OR REPLACE TEMP TABLE touched_events AS
SELECT DISTINCT event_id, event_id NOT IN (SELECT event_id FROM events) AS is_new
FROM (
    SELECT event_id FROM staged_articles
    UNION ALL SELECT old_event FROM refetched WHERE upgraded
    UNION ALL SELECT event_id FROM moved_events
)
