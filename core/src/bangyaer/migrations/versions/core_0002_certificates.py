"""certificates: issued e-certificates and their batches

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('core_certificate_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_plugin', sa.String(length=32), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('activity_title', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_certificate_batch')),
    sa.UniqueConstraint('source_plugin', 'source_key', name=op.f('uq_core_certificate_batch_source_plugin_source_key'))
    )
    op.create_table('core_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('source_plugin', sa.String(length=32), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('activity_title', sa.String(length=200), nullable=False),
    sa.Column('award', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=500), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['core_certificate_batch.id'], name=op.f('fk_core_certificate_batch_id_core_certificate_batch')),
    sa.ForeignKeyConstraint(['holder_id'], ['core_person.id'], name=op.f('fk_core_certificate_holder_id_core_person')),
    sa.ForeignKeyConstraint(['pdf_sha256'], ['core_blob.sha256'], name=op.f('fk_core_certificate_pdf_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_certificate')),
    sa.UniqueConstraint('serial', name=op.f('uq_core_certificate_serial')),
    sa.UniqueConstraint('source_plugin', 'source_key', name=op.f('uq_core_certificate_source_plugin_source_key'))
    )
    with op.batch_alter_table('core_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_certificate_holder_id'), ['holder_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('core_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_certificate_holder_id'))

    op.drop_table('core_certificate')
    op.drop_table('core_certificate_batch')
