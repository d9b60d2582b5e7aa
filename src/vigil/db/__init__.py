"""SQLAlchemy tables and Alembic migrations."""
