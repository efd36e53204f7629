-- One event's ($event_id) actors: those with a role first, then by mentions.
SELECT actor_id, name, kind, country_iso3, role, mentions, article_id, evidence
FROM event_actors WHERE event_id = $event_id
ORDER BY role = 'mentioned', mentions DESC, actor_id
