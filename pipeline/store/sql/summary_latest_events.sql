-- The end-of-run summary's latest $limit events: first published day, articles, sources, title.
SELECT coalesce(strftime(first_published_at, '%Y-%m-%d'), '-'), article_count, source_count, title
FROM events
ORDER BY first_published_at DESC NULLS LAST, event_id
LIMIT $limit
