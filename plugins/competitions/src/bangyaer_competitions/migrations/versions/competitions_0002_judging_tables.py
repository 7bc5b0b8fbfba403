"""competitions judging tables

Revision ID: competitions_0002
Revises: competitions_0001
Create Date: 2026-12-04 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'competitions_0002'
down_revision = 'competitions_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competitions_judging_setup',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('judges_per_entry', sa.Integer(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('aggregation', sa.String(length=16), nullable=False),
    sa.Column('trim_min_scores', sa.Integer(), nullable=False),
    sa.Column('disagreement_threshold', sa.Integer(), nullable=False),
    sa.Column('tie_break', sa.JSON(), nullable=False),
    sa.Column('award_rule', sa.JSON(), nullable=False),
    sa.Column('lower_is_better', sa.Boolean(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withheld', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_judging_setup_activity_id_competitions_activity')),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_competitions_judging_setup'))
    )

    op.create_table('competitions_judge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_competitions_judge_account_id_core_account')),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_judge_activity_id_competitions_activity')),
    sa.ForeignKeyConstraint(['group_id'], ['competitions_group.id'], name=op.f('fk_competitions_judge_group_id_competitions_group')),
    sa.ForeignKeyConstraint(['invited_by'], ['core_account.id'], name=op.f('fk_competitions_judge_invited_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_judge')),
    sa.UniqueConstraint('activity_id', 'group_id', 'account_id', name=op.f('uq_competitions_judge_activity_id_group_id_account_id'))
    )
    with op.batch_alter_table('competitions_judge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitions_judge_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competitions_judge_activity_id'), ['activity_id'], unique=False)

    op.create_table('competitions_judging_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('thumb_sha256', sa.String(length=64), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['competitions_entry.id'], name=op.f('fk_competitions_judging_copy_entry_id_competitions_entry')),
    sa.ForeignKeyConstraint(['sha256'], ['core_blob.sha256'], name=op.f('fk_competitions_judging_copy_sha256_core_blob')),
    sa.ForeignKeyConstraint(['source_file_id'], ['competitions_file.id'], name=op.f('fk_competitions_judging_copy_source_file_id_competitions_file')),
    sa.ForeignKeyConstraint(['thumb_sha256'], ['core_blob.sha256'], name=op.f('fk_competitions_judging_copy_thumb_sha256_core_blob')),
    sa.ForeignKeyConstraint(['work_id'], ['competitions_work.id'], name=op.f('fk_competitions_judging_copy_work_id_competitions_work')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_judging_copy')),
    sa.UniqueConstraint('entry_id', 'position', name=op.f('uq_competitions_judging_copy_entry_id_position'))
    )
    with op.batch_alter_table('competitions_judging_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitions_judging_copy_entry_id'), ['entry_id'], unique=False)

    op.create_table('competitions_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_account_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['competitions_activity.id'], name=op.f('fk_competitions_assignment_activity_id_competitions_activity')),
    sa.ForeignKeyConstraint(['entry_id'], ['competitions_entry.id'], name=op.f('fk_competitions_assignment_entry_id_competitions_entry')),
    sa.ForeignKeyConstraint(['group_id'], ['competitions_group.id'], name=op.f('fk_competitions_assignment_group_id_competitions_group')),
    sa.ForeignKeyConstraint(['judge_account_id'], ['core_account.id'], name=op.f('fk_competitions_assignment_judge_account_id_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competitions_assignment')),
    sa.UniqueConstraint('entry_id', 'judge_account_id', name=op.f('uq_competitions_assignment_entry_id_judge_account_id'))
    )
    with op.batch_alter_table('competitions_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitions_assignment_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_competitions_assignment_judge', ['activity_id', 'judge_account_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('competitions_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_competitions_assignment_judge')
        batch_op.drop_index(batch_op.f('ix_competitions_assignment_entry_id'))

    op.drop_table('competitions_assignment')

    with op.batch_alter_table('competitions_judging_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competitions_judging_copy_entry_id'))

    op.drop_table('competitions_judging_copy')

    with op.batch_alter_table('competitions_judge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competitions_judge_activity_id'))
        batch_op.drop_index(batch_op.f('ix_competitions_judge_account_id'))

    op.drop_table('competitions_judge')

    op.drop_table('competitions_judging_setup')
