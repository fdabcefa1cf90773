"""Pulse: a Discord bot for TikTok creator communities."""

__version__ = "0.1.0"
