-- Feeds the run left unpolled because their host's time budget was spent: $stage 'feed', $reason 'host_budget'.
SELECT DISTINCT source_ref FROM staged_rejects WHERE stage = $stage AND reason = $reason ORDER BY 1
