-- One event's ($event_id) articles, earliest first.
SELECT article_id, published_at, source, title, url, source_ref, duplicate_of, near_duplicate_of
FROM articles WHERE event_id = $event_id
ORDER BY published_at NULLS LAST, article_id
