"""Event grouping's learned pair scorer: the model file format (``model``) and the script that fits it (``fit``)."""
