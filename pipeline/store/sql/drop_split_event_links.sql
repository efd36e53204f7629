-- Event links between stored articles that moves (``move_stored_articles``) left in different events are dropped:
-- clustering with later reports overruled the pair, and a kept link would claim the two are one event.
DELETE FROM article_links
WHERE link_id IN (
    SELECT l.link_id
    FROM article_links l
    JOIN articles a ON a.article_id = l.article_id
    JOIN articles o ON o.article_id = l.other_article_id
    WHERE l.method = 'event' AND a.event_id <> o.event_id
      AND (a.event_id IN (SELECT event_id FROM moved_events) OR o.event_id IN (SELECT event_id FROM moved_events))
)
