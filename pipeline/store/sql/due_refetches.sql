-- The entries (as ``sources.feeds.FeedEntry`` fields) of stored fallbacks whose pages are due again, oldest first:
-- forced ($forced), or of a $retryable reason with fewer than $max_attempts fetches and their time come ($now).
SELECT entry_key, 'guid' AS key_source, coalesce(nullif(feed_url, ''), url) AS feed_url, feed_title,
       NULL AS guid, url AS link, title, summary, text AS content, author, published_at AS published,
       NULL AS updated, categories
FROM articles
WHERE origin = 'feed' AND entry_key IS NOT NULL AND url IS NOT NULL AND fallback_reason IS NOT NULL
  AND duplicate_of IS NULL
  AND (next_fetch_at = $forced
       OR (list_contains($retryable, fallback_reason) AND fetch_attempts < $max_attempts
           AND (next_fetch_at IS NULL OR next_fetch_at <= $now)))
ORDER BY ingested_at, article_id
