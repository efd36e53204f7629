-- The report's junk bodies per outlet: junk, of bodies, and why.
SELECT coalesce(source, 'unknown') AS source, count(*) FILTER (WHERE body_status <> 'ok') AS junk,
       count(*) FILTER (WHERE body_status IS NOT NULL) AS bodies,
       string_agg(DISTINCT body_status, ', ' ORDER BY body_status) FILTER (WHERE body_status <> 'ok') AS reasons
FROM articles
GROUP BY 1 HAVING junk > 0 ORDER BY junk DESC, 1
