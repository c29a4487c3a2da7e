"""Trends name their source; a workshop may chime when time is up.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trend") as batch:
        batch.add_column(sa.Column("source", sa.String(length=300), nullable=False, server_default=""))
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(sa.Column("sound", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("sound")
    with op.batch_alter_table("trend") as batch:
        batch.drop_column("source")
