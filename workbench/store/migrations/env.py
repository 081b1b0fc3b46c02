"""Alembic environment: migrations run on the connection workbench.db hands over."""

from alembic import context

from workbench.store.tables import Base, mapped_in_orm

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through workbench.db.migrate(), which opens the database.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    include_name=mapped_in_orm,
)
with context.begin_transaction():
    context.run_migrations()
