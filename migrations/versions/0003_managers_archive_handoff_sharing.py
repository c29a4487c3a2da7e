"""Managers: the archive's index, hand-offs with their history, read-only links, open voting.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archivedepartment",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
        ),
        sa.PrimaryKeyConstraint("workshop_id", "key"),
    )
    with op.batch_alter_table("archivedepartment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archivedepartment_key"), ["key"], unique=False)

    op.create_table(
        "archiveentry",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("facilitator", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("map_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("trend", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=False),
        sa.Column("obstacle", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("innovation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("handoff_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
        ),
        sa.PrimaryKeyConstraint("workshop_id"),
    )
    with op.batch_alter_table("archiveentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archiveentry_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_archiveentry_handoff_status"), ["handoff_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_archiveentry_map_id"), ["map_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_archiveentry_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_archiveentry_title"), ["title"], unique=False)

    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("assignee_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("assignee_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("assignee_role", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_workshop_id"), ["workshop_id"], unique=True)

    op.create_table(
        "sharelink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sharelink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharelink_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_sharelink_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "handoffevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoffevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffevent_handoff_id"), ["handoff_id"], unique=False)

    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_voting", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("open_voting")

    with op.batch_alter_table("handoffevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffevent_handoff_id"))

    op.drop_table("handoffevent")
    with op.batch_alter_table("sharelink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharelink_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_sharelink_token_hash"))

    op.drop_table("sharelink")
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_handoff_status"))

    op.drop_table("handoff")
    with op.batch_alter_table("archiveentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archiveentry_title"))
        batch_op.drop_index(batch_op.f("ix_archiveentry_status"))
        batch_op.drop_index(batch_op.f("ix_archiveentry_map_id"))
        batch_op.drop_index(batch_op.f("ix_archiveentry_handoff_status"))
        batch_op.drop_index(batch_op.f("ix_archiveentry_created_at"))

    op.drop_table("archiveentry")
    with op.batch_alter_table("archivedepartment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archivedepartment_key"))

    op.drop_table("archivedepartment")
