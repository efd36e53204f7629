"""Everything that opens DuckDB."""
