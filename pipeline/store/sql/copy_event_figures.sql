-- ``event_figures`` of the copied events (``copied_enrichment_events``): their article's figures, the first
-- (by position) of each value and folded count, then of each key.
INSERT INTO event_figures BY NAME
SELECT * EXCLUDE (position) FROM (
    SELECT
        wirebeam_row_key([c.event_id, c.article_id, f.sentence, f.quantity]) AS figure_id,
        c.event_id,
        c.article_id,
        f.value,
        f.quantity,
        f.counts,
        f.qualifier,
        f.sentence,
        f.position
    FROM copied_enrichment_events c JOIN article_figures f USING (article_id)
    QUALIFY row_number() OVER (PARTITION BY c.event_id, f.value, wirebeam_fold(f.counts) ORDER BY f.position) = 1
)
QUALIFY row_number() OVER (PARTITION BY figure_id ORDER BY position) = 1
