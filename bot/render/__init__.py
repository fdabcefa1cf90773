"""Embeds and charts built from domain results: the only place that formats for Discord."""
