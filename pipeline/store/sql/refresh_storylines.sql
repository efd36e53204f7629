-- Recompute the rows of the storylines of the touched events from their events ($run_id: the loading run).
INSERT OR REPLACE INTO storylines BY NAME
WITH touched AS (
    SELECT DISTINCT storyline_id FROM events WHERE event_id IN (SELECT event_id FROM touched_events)
),
members AS (
    SELECT e.* FROM events e JOIN touched USING (storyline_id)
)
SELECT m.storyline_id,
       arg_min(m.title, (-m.article_count, m.first_published_at, m.event_id)) AS title,
       min(m.first_published_at) AS first_published_at, max(m.last_published_at) AS last_published_at,
       count(*) AS event_count, sum(m.article_count) AS article_count,
       coalesce(any_value(s.created_run_id), $run_id) AS created_run_id, $run_id AS updated_run_id
FROM members m LEFT JOIN storylines s USING (storyline_id)
GROUP BY m.storyline_id
