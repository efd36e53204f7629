-- ``event_figures`` of the copied events (``copied_enrichment_events``): their article's figures, the first
-- (by position) of each value and folded count, then of each key. ``{columns}`` is the table's columns
-- (``pipeline.store.enrichments``): each the article row's of that name unless given here.
INSERT INTO event_figures BY NAME
SELECT {columns} FROM (
    SELECT
        f.*,
        wirebeam_row_key([c.event_id, c.article_id, f.sentence, f.quantity]) AS figure_id,
        c.event_id
    FROM copied_enrichment_events c JOIN article_figures f USING (article_id)
    QUALIFY row_number() OVER (PARTITION BY c.event_id, f.value, wirebeam_fold(f.counts) ORDER BY f.position) = 1
)
QUALIFY row_number() OVER (PARTITION BY figure_id ORDER BY position) = 1
