-- The run's entry reads replace the stored ones of their keys (the latest read of each key).
INSERT OR REPLACE INTO entry_reads BY NAME
SELECT * FROM staged_entry_reads
QUALIFY row_number() OVER (PARTITION BY entry_key ORDER BY read_at DESC) = 1
