"""notices tables

Revision ID: notices_0001
Revises:
Create Date: 2026-12-03 20:03:03.133796
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'notices_0001'
down_revision = None
branch_labels = ('notices',)
depends_on = None  # the core is always migrated to its head first


def upgrade() -> None:
    op.create_table('notices_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unpublish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('whole_district', sa.Boolean(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('cover_sha256', sa.String(length=64), nullable=True),
    sa.Column('cover_type', sa.String(length=100), nullable=True),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('objection_contact', sa.String(length=200), nullable=False),
    sa.Column('objection_url', sa.String(length=500), nullable=False),
    sa.Column('source_plugin', sa.String(length=32), nullable=True),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cover_sha256'], ['core_blob.sha256'], name=op.f('fk_notices_item_cover_sha256_core_blob')),
    sa.ForeignKeyConstraint(['created_by'], ['core_account.id'], name=op.f('fk_notices_item_created_by_core_account')),
    sa.ForeignKeyConstraint(['updated_by'], ['core_account.id'], name=op.f('fk_notices_item_updated_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_item')),
    sa.UniqueConstraint('source_plugin', 'source_key', name=op.f('uq_notices_item_source_plugin_source_key'))
    )
    with op.batch_alter_table('notices_item', schema=None) as batch_op:
        batch_op.create_index('ix_notices_item_listing', ['column', 'status', 'pinned', 'publish_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_item_org_path'), ['org_path'], unique=False)

    op.create_table('notices_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['notices_item.id'], name=op.f('fk_notices_attachment_item_id_notices_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['core_blob.sha256'], name=op.f('fk_notices_attachment_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_attachment'))
    )
    with op.batch_alter_table('notices_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_attachment_item_id'), ['item_id'], unique=False)

    op.create_table('notices_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['notices_item.id'], name=op.f('fk_notices_audience_item_id_notices_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_notices_audience_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_audience')),
    sa.UniqueConstraint('item_id', 'school_id', name=op.f('uq_notices_audience_item_id_school_id'))
    )
    with op.batch_alter_table('notices_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_audience_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_audience_school_id'), ['school_id'], unique=False)

    op.create_table('notices_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['notices_item.id'], name=op.f('fk_notices_read_item_id_notices_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['core_person.id'], name=op.f('fk_notices_read_person_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_read')),
    sa.UniqueConstraint('item_id', 'person_id', name=op.f('uq_notices_read_item_id_person_id'))
    )
    with op.batch_alter_table('notices_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_read_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_read_read_at'), ['read_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notices_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_read_read_at'))
        batch_op.drop_index(batch_op.f('ix_notices_read_item_id'))

    op.drop_table('notices_read')
    with op.batch_alter_table('notices_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_audience_school_id'))
        batch_op.drop_index(batch_op.f('ix_notices_audience_item_id'))

    op.drop_table('notices_audience')
    with op.batch_alter_table('notices_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_attachment_item_id'))

    op.drop_table('notices_attachment')
    with op.batch_alter_table('notices_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_item_org_path'))
        batch_op.drop_index('ix_notices_item_listing')

    op.drop_table('notices_item')
