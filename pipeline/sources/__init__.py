"""Sources: seed readers, feed polling and page fetching."""
