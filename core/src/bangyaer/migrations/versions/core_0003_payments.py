"""payments: orders, the trades that paid them, refunds and invoices

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('core_payment_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=32), nullable=False),
    sa.Column('plugin', sa.String(length=32), nullable=False),
    sa.Column('purpose_ref', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('payer_account_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=True),
    sa.Column('trade_no', sa.String(length=64), nullable=True),
    sa.Column('refunded_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payer_account_id'], ['core_account.id'], name=op.f('fk_core_payment_order_payer_account_id_core_account')),
    sa.ForeignKeyConstraint(['subject_id'], ['core_person.id'], name=op.f('fk_core_payment_order_subject_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_payment_order')),
    sa.UniqueConstraint('order_no', name=op.f('uq_core_payment_order_order_no')),
    sa.UniqueConstraint('plugin', 'purpose_ref', name=op.f('uq_core_payment_order_plugin_purpose_ref'))
    )
    op.create_index(op.f('ix_core_payment_order_created_at'), 'core_payment_order', ['created_at'], unique=False)
    op.create_index(op.f('ix_core_payment_order_payer_account_id'), 'core_payment_order', ['payer_account_id'], unique=False)
    op.create_index(op.f('ix_core_payment_order_status'), 'core_payment_order', ['status'], unique=False)
    op.create_index(op.f('ix_core_payment_order_subject_id'), 'core_payment_order', ['subject_id'], unique=False)
    op.create_table('core_payment_checkout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['core_payment_order.id'], name=op.f('fk_core_payment_checkout_order_id_core_payment_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_payment_checkout')),
    sa.UniqueConstraint('order_id', 'provider', name=op.f('uq_core_payment_checkout_order_id_provider'))
    )
    op.create_index(op.f('ix_core_payment_checkout_order_id'), 'core_payment_checkout', ['order_id'], unique=False)
    op.create_table('core_payment_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('request_no', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('buyer_kind', sa.String(length=8), nullable=False),
    sa.Column('buyer_name', sa.String(length=100), nullable=False),
    sa.Column('buyer_tax_no', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=100), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('invoice_code', sa.String(length=20), nullable=False),
    sa.Column('invoice_no', sa.String(length=20), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('actor_account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_account_id'], ['core_account.id'], name=op.f('fk_core_payment_invoice_actor_account_id_core_account')),
    sa.ForeignKeyConstraint(['order_id'], ['core_payment_order.id'], name=op.f('fk_core_payment_invoice_order_id_core_payment_order')),
    sa.ForeignKeyConstraint(['pdf_sha256'], ['core_blob.sha256'], name=op.f('fk_core_payment_invoice_pdf_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_payment_invoice')),
    sa.UniqueConstraint('order_id', 'kind', name=op.f('uq_core_payment_invoice_order_id_kind')),
    sa.UniqueConstraint('request_no', name=op.f('uq_core_payment_invoice_request_no'))
    )
    op.create_index(op.f('ix_core_payment_invoice_order_id'), 'core_payment_invoice', ['order_id'], unique=False)
    op.create_table('core_payment_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('trade_no', sa.String(length=64), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['core_payment_order.id'], name=op.f('fk_core_payment_payment_order_id_core_payment_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_payment_payment')),
    sa.UniqueConstraint('provider', 'trade_no', name=op.f('uq_core_payment_payment_provider_trade_no'))
    )
    op.create_index(op.f('ix_core_payment_payment_order_id'), 'core_payment_payment', ['order_id'], unique=False)
    op.create_table('core_payment_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_no', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('actor_account_id', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_account_id'], ['core_account.id'], name=op.f('fk_core_payment_refund_actor_account_id_core_account')),
    sa.ForeignKeyConstraint(['order_id'], ['core_payment_order.id'], name=op.f('fk_core_payment_refund_order_id_core_payment_order')),
    sa.ForeignKeyConstraint(['payment_id'], ['core_payment_payment.id'], name=op.f('fk_core_payment_refund_payment_id_core_payment_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_payment_refund')),
    sa.UniqueConstraint('key', name=op.f('uq_core_payment_refund_key')),
    sa.UniqueConstraint('refund_no', name=op.f('uq_core_payment_refund_refund_no'))
    )
    op.create_index(op.f('ix_core_payment_refund_order_id'), 'core_payment_refund', ['order_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_core_payment_refund_order_id'), table_name='core_payment_refund')
    op.drop_table('core_payment_refund')
    op.drop_index(op.f('ix_core_payment_payment_order_id'), table_name='core_payment_payment')
    op.drop_table('core_payment_payment')
    op.drop_index(op.f('ix_core_payment_invoice_order_id'), table_name='core_payment_invoice')
    op.drop_table('core_payment_invoice')
    op.drop_index(op.f('ix_core_payment_checkout_order_id'), table_name='core_payment_checkout')
    op.drop_table('core_payment_checkout')
    op.drop_index(op.f('ix_core_payment_order_subject_id'), table_name='core_payment_order')
    op.drop_index(op.f('ix_core_payment_order_status'), table_name='core_payment_order')
    op.drop_index(op.f('ix_core_payment_order_payer_account_id'), table_name='core_payment_order')
    op.drop_index(op.f('ix_core_payment_order_created_at'), table_name='core_payment_order')
    op.drop_table('core_payment_order')
