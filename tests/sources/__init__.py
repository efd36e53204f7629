"""Tests for pipeline.sources."""
