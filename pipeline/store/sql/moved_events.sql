-- The events stored articles leave or join (``moved_articles``, ``merged_events``) and those whose members move
-- storyline (``restoried_events``, with the storyline they move to; NULL for the others).
CREATE OR REPLACE TEMP TABLE moved_events AS
SELECT event_id, any_value(storyline_id) AS storyline_id FROM (
    SELECT event_id, NULL AS storyline_id FROM articles WHERE article_id IN (SELECT article_id FROM moved_articles)
    UNION ALL SELECT event_id, NULL FROM moved_articles
    UNION ALL SELECT old_event_id, NULL FROM merged_events
    UNION ALL SELECT event_id, NULL FROM merged_events
    UNION ALL SELECT event_id, storyline_id FROM restoried_events
)
GROUP BY event_id
