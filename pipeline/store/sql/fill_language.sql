-- The detected language fills ``articles.language`` of the touched events' members where the source stated none.
UPDATE articles SET language = s.language
FROM article_enrichments s
WHERE articles.article_id = s.article_id AND articles.language IS NULL AND s.language IS NOT NULL
  AND articles.event_id IN (SELECT event_id FROM touched_events)
