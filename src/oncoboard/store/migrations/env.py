"""Alembic environment of the Oncoboard store.

Run programmatically by :func:`oncoboard.store._engine.upgrade_to_head`, which passes an open
connection (inside its transaction) as ``config.attributes["connection"]``. For development
(``alembic revision --autogenerate``) a ``sqlalchemy.url`` main option is used instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from oncoboard.store._engine import make_engine
from oncoboard.store._schema import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a fresh engine for ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = make_engine(url)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("the Oncoboard store migrations run online only")
run_migrations_online()
