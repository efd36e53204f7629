-- Stored fallbacks ``feeds refetch`` can make due (with their reason): all of them, or those of one $feed_url, or
-- one $article_id; not an entry stored from its own text because its page is another entry's ($shared_page).
SELECT article_id, fallback_reason FROM articles
WHERE origin = 'feed' AND fallback_reason IS NOT NULL AND fallback_reason <> $shared_page AND url IS NOT NULL
  AND CASE WHEN $feed_url IS NOT NULL THEN feed_url = $feed_url
           WHEN $article_id IS NOT NULL THEN article_id = $article_id
           ELSE TRUE END
ORDER BY article_id
