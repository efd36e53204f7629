-- The stored events of the storylines of the events in ``reached_events``: each with its storyline, whether it is
-- one of those, and whether it takes part in clustering (those, and the $events latest others of each storyline).
WITH reached_storylines AS (
    SELECT DISTINCT storyline_id FROM events
    WHERE event_id IN (SELECT event_id FROM reached_events) AND storyline_id IS NOT NULL
),
story_events AS (
    SELECT e.event_id, e.storyline_id, e.event_id IN (SELECT event_id FROM reached_events) AS reached,
           e.last_published_at
    FROM events e JOIN reached_storylines USING (storyline_id)
)
SELECT event_id, storyline_id, reached,
       reached OR row_number() OVER (
           PARTITION BY storyline_id, reached ORDER BY last_published_at DESC NULLS LAST, event_id
       ) <= $events AS taken
FROM story_events
ORDER BY storyline_id, event_id
