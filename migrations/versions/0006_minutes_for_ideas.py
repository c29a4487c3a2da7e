"""A time of its own for step 4 (the ideas), apart from step 3 (the obstacles).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ideas_minutes", sa.Integer(), nullable=False, server_default="10"))
    # A workshop made before had one time for both steps: it keeps it for the ideas too.
    op.execute("UPDATE workshop SET ideas_minutes = write_minutes")


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("ideas_minutes")
