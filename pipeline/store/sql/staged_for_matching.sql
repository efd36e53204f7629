-- The run's new articles with what cross-run matching reads of them (``matching.StagedArticle``).
SELECT article_id, duplicate_of, near_duplicate_of, near_duplicate_score, event_id, content_hash, canonical_url,
       content_kind, word_count, storyline_id
FROM staged_articles
ORDER BY article_id
