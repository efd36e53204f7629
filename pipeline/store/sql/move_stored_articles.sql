-- Stored articles change event (``moved_articles``: a stored event split or merged by cross-run clustering), and
-- their stored copies and near-copies (at any depth) with them; an event listed in ``merged_events`` moves whole.
-- Each takes the storyline given with its move, else keeps its own.
UPDATE articles SET event_id = m.event_id, storyline_id = coalesce(m.storyline_id, articles.storyline_id)
FROM (
    WITH RECURSIVE followers(article_id, event_id, storyline_id) AS (
        SELECT article_id, event_id, storyline_id FROM moved_articles
        UNION
        SELECT a.article_id, f.event_id, f.storyline_id
        FROM articles a JOIN followers f ON f.article_id IN (a.duplicate_of, a.near_duplicate_of)
    )
    SELECT DISTINCT ON (article_id) * FROM (
        SELECT * FROM followers
        UNION ALL
        SELECT a.article_id, m.event_id, m.storyline_id FROM articles a JOIN merged_events m ON a.event_id = m.old_event_id
    )
) m
WHERE articles.article_id = m.article_id
