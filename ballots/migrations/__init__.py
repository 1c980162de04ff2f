"""Alembic migrations for the domain schema; run them with ``vote db upgrade``."""
