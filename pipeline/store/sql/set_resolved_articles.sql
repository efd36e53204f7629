-- The staged articles take their resolved pointers, events and storylines (``resolved_articles``).
UPDATE staged_articles SET duplicate_of = r.duplicate_of, near_duplicate_of = r.near_duplicate_of,
                           near_duplicate_score = r.near_duplicate_score, event_id = r.event_id,
                           storyline_id = r.storyline_id
FROM resolved_articles r
WHERE staged_articles.article_id = r.article_id
