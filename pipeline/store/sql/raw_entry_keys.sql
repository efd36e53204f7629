-- Entry keys of articles read from saved feeds that are no hash ($hashed: the pattern of ``ids.entry_key``'s).
SELECT article_id, entry_key FROM articles
WHERE origin = 'seed' AND entry_key IS NOT NULL AND NOT regexp_full_match(entry_key, $hashed)
