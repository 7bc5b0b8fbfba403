"""Anonymised judging copies: files with their metadata removed."""
