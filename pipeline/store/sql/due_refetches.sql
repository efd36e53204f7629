-- Stored fallbacks whose pages are due again (``refetch.due_refetches``), oldest first: forced ($forced), or of a
-- $retryable reason with fewer than $max_attempts fetches and their time come ($now).
SELECT entry_key, feed_url, feed_title, url, title, summary, text, author, published_at, categories
FROM articles
WHERE origin = 'feed' AND entry_key IS NOT NULL AND url IS NOT NULL AND fallback_reason IS NOT NULL
  AND duplicate_of IS NULL
  AND (next_fetch_at = $forced
       OR (list_contains($retryable, fallback_reason) AND fetch_attempts < $max_attempts
           AND (next_fetch_at IS NULL OR next_fetch_at <= $now)))
ORDER BY ingested_at, article_id
