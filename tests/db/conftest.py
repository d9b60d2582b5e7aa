"""Database room tests use the shared fixtures of tests/dbfixtures.py (db_engine and friends)."""
