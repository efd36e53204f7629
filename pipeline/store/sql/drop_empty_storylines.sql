-- A touched storyline left without events loses its row.
DELETE FROM storylines
WHERE storyline_id IN (SELECT storyline_id FROM touched_storylines)
  AND storyline_id NOT IN (SELECT storyline_id FROM events WHERE storyline_id IS NOT NULL)
