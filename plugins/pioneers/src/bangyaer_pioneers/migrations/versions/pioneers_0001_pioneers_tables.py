"""pioneers tables

Revision ID: pioneers_0001
Revises:
Create Date: 2026-12-03 20:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'pioneers_0001'
down_revision = None
branch_labels = ('pioneers',)
depends_on = None  # the core is always migrated to its head first


def upgrade() -> None:
    op.create_table('pioneers_badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_badge')),
    sa.UniqueConstraint('code', name=op.f('uq_pioneers_badge_code'))
    )
    op.create_table('pioneers_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['core_account.id'], name=op.f('fk_pioneers_activity_created_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_activity'))
    )
    with op.batch_alter_table('pioneers_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pioneers_activity_org_path'), ['org_path'], unique=False)

    op.create_table('pioneers_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('awarded_by', sa.Integer(), nullable=True),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['awarded_by'], ['core_account.id'], name=op.f('fk_pioneers_award_awarded_by_core_account')),
    sa.ForeignKeyConstraint(['badge_id'], ['pioneers_badge.id'], name=op.f('fk_pioneers_award_badge_id_pioneers_badge')),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_pioneers_award_child_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_award')),
    sa.UniqueConstraint('badge_id', 'child_id', name=op.f('uq_pioneers_award_badge_id_child_id'))
    )
    with op.batch_alter_table('pioneers_award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pioneers_award_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneers_award_org_path'), ['org_path'], unique=False)

    op.create_table('pioneers_counsellor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('appointed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_pioneers_counsellor_account_id_core_account')),
    sa.ForeignKeyConstraint(['appointed_by'], ['core_account.id'], name=op.f('fk_pioneers_counsellor_appointed_by_core_account')),
    sa.ForeignKeyConstraint(['org_id'], ['core_organisation.id'], name=op.f('fk_pioneers_counsellor_org_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_counsellor')),
    sa.UniqueConstraint('account_id', 'org_id', name=op.f('uq_pioneers_counsellor_account_id_org_id'))
    )
    with op.batch_alter_table('pioneers_counsellor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pioneers_counsellor_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneers_counsellor_org_path'), ['org_path'], unique=False)

    op.create_table('pioneers_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['core_account.id'], name=op.f('fk_pioneers_news_created_by_core_account')),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_pioneers_news_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_news'))
    )
    with op.batch_alter_table('pioneers_news', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pioneers_news_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneers_news_school_id'), ['school_id'], unique=False)

    op.create_table('pioneers_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('photo_type', sa.String(length=100), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['pioneers_activity.id'], name=op.f('fk_pioneers_submission_activity_id_pioneers_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_pioneers_submission_child_id_core_person')),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_pioneers_submission_guardian_id_core_person')),
    sa.ForeignKeyConstraint(['photo_sha256'], ['core_blob.sha256'], name=op.f('fk_pioneers_submission_photo_sha256_core_blob')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['core_account.id'], name=op.f('fk_pioneers_submission_reviewed_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneers_submission')),
    sa.UniqueConstraint('activity_id', 'child_id', name=op.f('uq_pioneers_submission_activity_id_child_id'))
    )
    with op.batch_alter_table('pioneers_submission', schema=None) as batch_op:
        batch_op.create_index('ix_pioneers_submission_activity_state', ['activity_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneers_submission_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneers_submission_org_path'), ['org_path'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pioneers_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneers_submission_org_path'))
        batch_op.drop_index(batch_op.f('ix_pioneers_submission_child_id'))
        batch_op.drop_index('ix_pioneers_submission_activity_state')

    op.drop_table('pioneers_submission')
    with op.batch_alter_table('pioneers_news', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneers_news_school_id'))
        batch_op.drop_index(batch_op.f('ix_pioneers_news_published_at'))

    op.drop_table('pioneers_news')
    with op.batch_alter_table('pioneers_counsellor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneers_counsellor_org_path'))
        batch_op.drop_index(batch_op.f('ix_pioneers_counsellor_account_id'))

    op.drop_table('pioneers_counsellor')
    with op.batch_alter_table('pioneers_award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneers_award_org_path'))
        batch_op.drop_index(batch_op.f('ix_pioneers_award_child_id'))

    op.drop_table('pioneers_award')
    with op.batch_alter_table('pioneers_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneers_activity_org_path'))

    op.drop_table('pioneers_activity')
    op.drop_table('pioneers_badge')
