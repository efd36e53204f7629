-- The report's places: events per place, and events it is the primary place of.
SELECT location_id, mode(name) AS name, any_value(country_code) AS country_code, any_value(latitude) AS latitude,
       any_value(longitude) AS longitude, count(*) AS events, count(*) FILTER (WHERE is_primary) AS primary_events
FROM event_locations
GROUP BY location_id ORDER BY events DESC, location_id
