-- The ``article_enrichments`` rows of the touched events' original articles, with their event.
SELECT a.event_id, s.*
FROM articles a JOIN touched_events USING (event_id) JOIN article_enrichments s USING (article_id)
WHERE a.duplicate_of IS NULL
ORDER BY a.event_id, a.published_at NULLS LAST, a.article_id
