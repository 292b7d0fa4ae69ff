"""Alembic migrations of the case store (run by :meth:`oncoboard.store.Store.open`)."""
