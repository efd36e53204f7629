-- Stored near-copies checked again against their parent's new text (``near_copies``: ``articles.NearCopy`` rows):
-- the new score, or no pointer when no longer near; one that follows its parent joins the parent's event.
UPDATE articles a
SET near_duplicate_of = CASE WHEN c.score IS NULL THEN NULL ELSE c.parent_id END,
    near_duplicate_score = c.score,
    event_id = CASE WHEN c.follows THEN p.event_id ELSE a.event_id END
FROM near_copies c JOIN articles p ON p.article_id = c.parent_id
WHERE a.article_id = c.article_id
