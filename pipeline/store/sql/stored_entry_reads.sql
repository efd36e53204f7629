-- When each entry was last read (``entry_reads``), in the columns of ``stored_entries``.
SELECT entry_key, NULL AS canonical_url, NULL AS title, NULL AS summary, NULL AS feed_url, read_at FROM entry_reads
