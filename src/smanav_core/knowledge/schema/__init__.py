"""Typed shapes of the knowledge files; the loader validates every TOML file against one of these."""
