"""Innovation days: several groups (workshops) at once under one organizer.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SETTINGS = {
    "picks_min": "4",
    "picks_max": "5",
    "notes_min": "3",
    "notes_max": "4",
    "ideas_max": "3",
    "votes_per_person": "1",
    "cap_per_option": "1",
    "pick_minutes": "7",
    "write_minutes": "10",
    "ideas_minutes": "10",
    "vote_minutes": "3",
}


def upgrade() -> None:
    op.create_table(
        "innovationday",
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default=default)
            for name, default in SETTINGS.items()
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("organizer_key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("gallery_key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("trend_map_version_id", sa.Integer(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("vote_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trend_map_version_id"], ["trendmapversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_innovationday_code"), "innovationday", ["code"], unique=True)
    op.create_table(
        "dayballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("cast_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["day_id"], ["innovationday.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id"),
    )
    op.create_index(op.f("ix_dayballot_day_id"), "dayballot", ["day_id"], unique=False)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("group_number", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_workshop_day_id"), ["day_id"], unique=False)
        batch_op.create_foreign_key("fk_workshop_day_id", "innovationday", ["day_id"], ["id"])
        batch_op.create_unique_constraint("uq_workshop_day_group", ["day_id", "group_number"])


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_constraint("uq_workshop_day_group", type_="unique")
        batch_op.drop_constraint("fk_workshop_day_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_workshop_day_id"))
        batch_op.drop_column("group_number")
        batch_op.drop_column("day_id")
    op.drop_index(op.f("ix_dayballot_day_id"), table_name="dayballot")
    op.drop_table("dayballot")
    op.drop_index(op.f("ix_innovationday_code"), table_name="innovationday")
    op.drop_table("innovationday")
