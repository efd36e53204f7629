-- Recompute the rows of the touched storylines that still have events from their events ($run_id: the loading run).
INSERT OR REPLACE INTO storylines BY NAME
WITH members AS (
    SELECT e.* FROM events e JOIN touched_storylines USING (storyline_id)
)
SELECT m.storyline_id,
       arg_min(m.title, (-m.article_count, m.first_published_at, m.event_id)) AS title,
       min(m.first_published_at) AS first_published_at, max(m.last_published_at) AS last_published_at,
       count(*) AS event_count, sum(m.article_count) AS article_count,
       coalesce(any_value(s.created_run_id), $run_id) AS created_run_id, $run_id AS updated_run_id
FROM members m LEFT JOIN storylines s USING (storyline_id)
GROUP BY m.storyline_id
