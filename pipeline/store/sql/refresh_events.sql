-- Recompute the touched events' rows from their stored members ($run_id: the loading run). A stored event keeps its
-- storyline unless it moves storyline (``moved_events.storyline_id``: cross-run clustering split or merged it).
INSERT OR REPLACE INTO events BY NAME
WITH members AS (
    SELECT a.* FROM articles a JOIN touched_events t USING (event_id)
),
canonical AS (
    SELECT event_id, article_id, title, row_number() OVER (
        PARTITION BY event_id
        ORDER BY duplicate_of IS NOT NULL, near_duplicate_of IS NOT NULL, published_at NULLS LAST,
                 word_count DESC, article_id
    ) AS rank
    FROM members
),
totals AS (
    SELECT event_id, count(*) AS article_count, count(DISTINCT source) AS source_count,
           min(published_at) AS first_published_at, max(published_at) AS last_published_at,
           min(storyline_id) AS storyline_id
    FROM members GROUP BY event_id
)
SELECT c.event_id, c.title, c.article_id AS canonical_article_id, t.article_count, t.source_count,
       t.first_published_at, t.last_published_at,
       coalesce(e.created_run_id, $run_id) AS created_run_id, $run_id AS updated_run_id,
       coalesce(m.storyline_id, e.storyline_id, t.storyline_id, 'sl_' || c.event_id[4:]) AS storyline_id
FROM canonical c JOIN totals t USING (event_id) LEFT JOIN events e USING (event_id)
    LEFT JOIN moved_events m USING (event_id)
WHERE c.rank = 1
