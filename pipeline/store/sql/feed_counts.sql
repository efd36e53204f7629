-- Per polled feed of the run: status, error, entries read, new articles stored, page fallbacks.
SELECT f.url, f.last_status, f.last_error, CASE WHEN f.last_status = 200 THEN f.entry_count ELSE 0 END,
       count(a.article_id) FILTER (a.run_id = f.updated_run_id), count(a.fallback_reason)
FROM staged_feeds f LEFT JOIN staged_articles a ON a.feed_url = f.url
GROUP BY ALL ORDER BY f.url
