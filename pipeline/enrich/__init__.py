"""Enrichment: actors, places, event type, event date, key figures, language and keywords of articles and events.

Pure, Beam-free functions; ``pipeline.enrich.enrich`` is the entry point (``enrich_article``, ``merge_event``,
``article_row``, ``event_rows``); the row models live in ``schemas.enrichment``.
"""
