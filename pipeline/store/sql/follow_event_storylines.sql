-- The touched events' members take their event's storyline (a stored event keeps its storyline when others merge
-- into it).
UPDATE articles SET storyline_id = e.storyline_id
FROM events e
WHERE articles.event_id = e.event_id AND articles.storyline_id IS DISTINCT FROM e.storyline_id
  AND articles.event_id IN (SELECT event_id FROM touched_events)
