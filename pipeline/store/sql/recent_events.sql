-- The latest $limit events (by the day they happened, else first reported), newest first.
SELECT event_id, coalesce(event_day, CAST(timezone('UTC', first_reported_at) AS DATE)) AS day, event_type,
       primary_location, article_count, source_count, title, storyline_id, storyline_title, storyline_events
FROM event_summary
ORDER BY day DESC NULLS LAST, first_seen_at DESC, event_id
LIMIT $limit
