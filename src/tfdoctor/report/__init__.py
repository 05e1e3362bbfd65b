"""Renderers: findings and statistics in, text out. Nothing here decides anything."""
