-- The report's storylines: the $limit with the most events.
SELECT * FROM storyline_summary
ORDER BY event_count DESC, article_count DESC, storyline_id
LIMIT $limit
