-- The events the staged run's articles belong to, those that upgraded articles left (table refetched of
-- pipeline.store.refetch) and those stored articles left or joined (``moved_events``), whether each is new, and
-- the storyline each stored one had before this run (``stored_storyline_id``: a storyline that loses events).
CREATE OR REPLACE TEMP TABLE touched_events AS
SELECT DISTINCT t.event_id, e.event_id IS NULL AS is_new, e.storyline_id AS stored_storyline_id
FROM (
    SELECT event_id FROM staged_articles
    UNION ALL SELECT old_event FROM refetched WHERE upgraded
    UNION ALL SELECT event_id FROM moved_events
) t LEFT JOIN events e USING (event_id)
