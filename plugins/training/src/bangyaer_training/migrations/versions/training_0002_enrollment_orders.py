"""enrollment orders

Revision ID: training_0002
Revises: training_0001
Create Date: 2026-12-04 05:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'training_0002'
down_revision = 'training_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('refunded_fen', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_index(batch_op.f('ix_training_enrollment_order_no'), ['order_no'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrollment_order_no'))
        batch_op.drop_column('refunded_fen')
        batch_op.drop_column('order_no')
