"""payments: number an order's invoices, so a failed or red-flushed one can be followed

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'core_0004'
down_revision = 'core_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite changes a unique constraint only by copying the table.
    with op.batch_alter_table('core_payment_invoice') as batch:
        batch.add_column(sa.Column('seq', sa.Integer(), server_default='1', nullable=False))
        batch.drop_constraint('uq_core_payment_invoice_order_id_kind', type_='unique')
        batch.create_unique_constraint(
            op.f('uq_core_payment_invoice_order_id_kind_seq'), ['order_id', 'kind', 'seq'])


def downgrade() -> None:
    with op.batch_alter_table('core_payment_invoice') as batch:
        batch.drop_constraint(op.f('uq_core_payment_invoice_order_id_kind_seq'), type_='unique')
        batch.create_unique_constraint(
            'uq_core_payment_invoice_order_id_kind', ['order_id', 'kind'])
        batch.drop_column('seq')
