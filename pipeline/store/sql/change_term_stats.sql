-- ``term_stats`` moves by the ``term_changes`` (term, change in its document count).
INSERT INTO term_stats BY NAME
SELECT term, change AS doc_count FROM term_changes WHERE change <> 0
ON CONFLICT (term) DO UPDATE SET doc_count = term_stats.doc_count + excluded.doc_count
