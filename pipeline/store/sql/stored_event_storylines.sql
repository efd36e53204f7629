-- Staged articles of a stored event that have no storyline of their own take the event's.
UPDATE staged_articles SET storyline_id = coalesce(e.storyline_id, 'sl_' || e.event_id[4:])
FROM events e WHERE staged_articles.event_id = e.event_id AND staged_articles.storyline_id IS NULL
