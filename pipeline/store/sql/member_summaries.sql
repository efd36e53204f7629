-- The ``article_enrichments`` rows of the original articles of the touched events that are not copied from one
-- article (``copied_enrichment_events``), with their event.
SELECT a.event_id, s.*
FROM articles a JOIN touched_events USING (event_id) JOIN article_enrichments s USING (article_id)
WHERE a.duplicate_of IS NULL AND a.event_id NOT IN (SELECT event_id FROM copied_enrichment_events)
ORDER BY a.event_id, a.published_at NULLS LAST, a.article_id
