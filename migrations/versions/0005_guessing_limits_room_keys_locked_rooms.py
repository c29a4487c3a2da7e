"""Guessing limits shared by every process, the room projector's own key, locked rooms.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guessmiss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_guessmiss_kind_client_at", "guessmiss", ["kind", "client", "at"], unique=False)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "room_key_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "admission", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="in"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("admission")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("locked")
        batch_op.drop_column("room_key_hash")
    op.drop_index("ix_guessmiss_kind_client_at", table_name="guessmiss")
    op.drop_table("guessmiss")
