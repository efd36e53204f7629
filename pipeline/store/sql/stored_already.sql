-- New articles stored already: their stored original (the article, or the one it copies) and their own event.
SELECT s.article_id, o.article_id, o.published_at, o.source_ref, a.event_id
FROM staged_articles s
JOIN articles a USING (article_id)
JOIN articles o ON o.article_id = coalesce(a.duplicate_of, a.article_id)
