-- Articles take their migrated entry key (``migrated_entry_keys``).
UPDATE articles SET entry_key = m.entry_key
FROM migrated_entry_keys m
WHERE articles.article_id = m.article_id
