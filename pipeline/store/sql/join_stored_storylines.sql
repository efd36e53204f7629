-- A staged storyline one of whose events is now a stored event, or reaches the storyline thresholds with one
-- (storyline_matches), takes that event's storyline (the earliest such event's, by ID; a stored event from before
-- storylines stands for one of its own).
UPDATE staged_articles SET storyline_id = j.stored_storyline_id
FROM (
    SELECT s.storyline_id AS staged_storyline_id,
           arg_min(coalesce(e.storyline_id, 'sl_' || e.event_id[4:]), e.event_id) AS stored_storyline_id
    FROM (
        SELECT storyline_id, event_id FROM staged_articles
        UNION ALL
        SELECT a.storyline_id, m.stored_event_id FROM staged_articles a JOIN storyline_matches m USING (event_id)
    ) s JOIN events e USING (event_id)
    WHERE s.storyline_id IS NOT NULL
    GROUP BY s.storyline_id
) j
WHERE staged_articles.storyline_id = j.staged_storyline_id
