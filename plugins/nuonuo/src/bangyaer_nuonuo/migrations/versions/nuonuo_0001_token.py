"""nuonuo token table

Revision ID: nuonuo_0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "nuonuo_0001"
down_revision = None
branch_labels = ("nuonuo",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nuonuo_token",
        sa.Column("app_key", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=256), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("app_key", name=op.f("pk_nuonuo_token")),
    )


def downgrade() -> None:
    op.drop_table("nuonuo_token")
