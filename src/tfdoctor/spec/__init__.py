"""The user's parse spec, read from Python objects, source files (by AST, never run), TFMD
schemas and JSON, and normalised to plain data the rules judge."""
