-- The members of stored events that move storyline (``restoried_events``: their storyline split or merged into
-- another) take it; run after ``move_stored_articles``, so articles that moved into such an event take it too.
UPDATE articles SET storyline_id = r.storyline_id
FROM restoried_events r
WHERE articles.event_id = r.event_id AND articles.storyline_id IS DISTINCT FROM r.storyline_id
