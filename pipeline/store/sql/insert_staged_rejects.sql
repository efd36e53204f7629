-- The run's rejects, each failure once ($run_id: the run that first saw it).
INSERT OR IGNORE INTO rejects BY NAME
SELECT * REPLACE ($run_id AS run_id) FROM staged_rejects
QUALIFY row_number() OVER (PARTITION BY reject_id) = 1
