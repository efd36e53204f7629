-- The articles of the new events none of whose articles matched a stored article (``matched_articles``), with their
-- storylines, features and what ``original_rank`` reads.
SELECT a.event_id, a.article_id, a.published_at, a.source_ref, a.storyline_id, f.features
FROM staged_article_features f JOIN staged_articles a USING (article_id)
WHERE a.event_id NOT IN (
    SELECT s.event_id FROM staged_articles s JOIN matched_articles m USING (article_id)
)
ORDER BY a.event_id, a.article_id
