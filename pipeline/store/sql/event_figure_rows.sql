-- One event's ($event_id) figures, per article, the largest first.
SELECT value, quantity, counts, qualifier, article_id, sentence
FROM event_figures WHERE event_id = $event_id
ORDER BY article_id, value DESC
