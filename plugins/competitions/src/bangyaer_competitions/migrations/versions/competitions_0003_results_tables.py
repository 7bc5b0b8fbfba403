"""competitions results tables

Revision ID: competitions_0003
Revises: competitions_0002
Create Date: 2026-12-04 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'competitions_0003'
down_revision = 'competitions_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competitions_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('appeal_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_publication_activity_id_competitions_activity')),
    sa.ForeignKeyConstraint(['published_by'], ['core_account.id'], name=op.f('fk_competitions_publication_published_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_publication'))
    )
    with op.batch_alter_table('competitions_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitions_publication_activity_id'), ['activity_id'], unique=False)

    op.create_table('competitions_measurement',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['core_account.id'], name=op.f('fk_competitions_measurement_entered_by_core_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['competitions_entry.id'], name=op.f('fk_competitions_measurement_entry_id_competitions_entry')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_competitions_measurement'))
    )

    op.create_table('competitions_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('award', sa.String(length=16), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_result_activity_id_competitions_activity')),
    sa.ForeignKeyConstraint(['entry_id'], ['competitions_entry.id'], name=op.f('fk_competitions_result_entry_id_competitions_entry')),
    sa.ForeignKeyConstraint(['group_id'], ['competitions_group.id'], name=op.f('fk_competitions_result_group_id_competitions_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_result')),
    sa.UniqueConstraint('activity_id', 'version', 'entry_id', name=op.f('uq_competitions_result_activity_id_version_entry_id'))
    )
    with op.batch_alter_table('competitions_result', schema=None) as batch_op:
        batch_op.create_index('ix_competitions_result_group', ['activity_id', 'version', 'group_id'], unique=False)

    op.create_table('competitions_appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=1000), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_competitions_appeal_account_id_core_account')),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_appeal_activity_id_competitions_activity')),
    sa.ForeignKeyConstraint(['decided_by'], ['core_account.id'], name=op.f('fk_competitions_appeal_decided_by_core_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['competitions_entry.id'], name=op.f('fk_competitions_appeal_entry_id_competitions_entry')),
    sa.ForeignKeyConstraint(['publication_id'], ['competitions_publication.id'], name=op.f('fk_competitions_appeal_publication_id_competitions_publication')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_appeal')),
    sa.UniqueConstraint('activity_id', 'entry_id', 'publication_id', name=op.f('uq_competitions_appeal_activity_id_entry_id_publication_id'))
    )
    with op.batch_alter_table('competitions_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitions_appeal_activity_id'), ['activity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('competitions_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competitions_appeal_activity_id'))

    op.drop_table('competitions_appeal')

    with op.batch_alter_table('competitions_result', schema=None) as batch_op:
        batch_op.drop_index('ix_competitions_result_group')

    op.drop_table('competitions_result')

    op.drop_table('competitions_measurement')

    with op.batch_alter_table('competitions_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competitions_publication_activity_id'))

    op.drop_table('competitions_publication')
