-- Stored fallbacks take their new fetch state (``fetch_states``: ``articles.FetchState`` rows).
UPDATE articles SET fallback_reason = s.fallback_reason, fetch_attempts = s.fetch_attempts,
                    next_fetch_at = s.next_fetch_at
FROM fetch_states s
WHERE articles.article_id = s.article_id
