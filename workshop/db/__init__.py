"""The tables (``models``) and the engine: SQLite by default, PostgreSQL by ``DATABASE_URL``; migrations."""
