"""Exporters: the only stage that writes to disk."""
