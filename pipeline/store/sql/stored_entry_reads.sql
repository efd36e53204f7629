-- When each entry was last read (``entry_reads``) and from which feed, in the columns of ``stored_entries``.
SELECT entry_key, NULL AS canonical_url, NULL AS title, NULL AS summary, feed_url, NULL AS feed_title, read_at FROM entry_reads
