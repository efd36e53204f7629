-- Stored exact copies of the ``followed_articles`` join their original's event.
UPDATE articles c SET event_id = o.event_id
FROM articles o
WHERE o.article_id IN (SELECT article_id FROM followed_articles) AND c.duplicate_of = o.article_id
  AND c.event_id <> o.event_id
