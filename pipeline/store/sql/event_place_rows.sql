-- One event's ($event_id) places: the primary first, then by score.
SELECT location_id, name, kind, country_code, latitude, longitude, is_primary, score, mentions, article_id
FROM event_locations WHERE event_id = $event_id
ORDER BY is_primary DESC, score DESC, location_id
