-- Stored near-copies of the run's upgraded articles (table ``refetched``), with both texts to verify them again
-- and whether each is in the event its parent left.
SELECT n.article_id, n.text, p.article_id, p.text, n.event_id = r.old_event
FROM refetched r
JOIN articles p ON p.article_id = r.old_id
JOIN articles n ON n.near_duplicate_of = r.old_id
WHERE r.upgraded AND n.article_id NOT IN (SELECT article_id FROM staged_articles)
ORDER BY n.article_id
