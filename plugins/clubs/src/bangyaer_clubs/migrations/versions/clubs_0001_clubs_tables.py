"""clubs tables

Revision ID: clubs_0001
Revises:
Create Date: 2026-12-03 20:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'clubs_0001'
down_revision = None
branch_labels = ('clubs',)
depends_on = None  # the core is always migrated to its head first


def upgrade() -> None:
    op.create_table('clubs_club',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('year_min', sa.Integer(), nullable=False),
    sa.Column('year_max', sa.Integer(), nullable=False),
    sa.Column('leader_account_id', sa.Integer(), nullable=True),
    sa.Column('leader_name', sa.String(length=60), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('meets', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['leader_account_id'], ['core_account.id'], name=op.f('fk_clubs_club_leader_account_id_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_club'))
    )
    with op.batch_alter_table('clubs_club', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_club_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_clubs_club_leader_account_id'), ['leader_account_id'], unique=False)

    op.create_table('clubs_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_meeting_club_id_clubs_club'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['core_account.id'], name=op.f('fk_clubs_meeting_created_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_meeting'))
    )
    with op.batch_alter_table('clubs_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_meeting_club_id'), ['club_id'], unique=False)

    op.create_table('clubs_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_photo_club_id_clubs_club'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['core_blob.sha256'], name=op.f('fk_clubs_photo_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_photo'))
    )
    with op.batch_alter_table('clubs_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_photo_club_id'), ['club_id'], unique=False)

    op.create_table('clubs_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_account_id'], ['core_account.id'], name=op.f('fk_clubs_post_author_account_id_core_account')),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_post_club_id_clubs_club'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_post'))
    )
    with op.batch_alter_table('clubs_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_post_club_id'), ['club_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clubs_post_created_at'), ['created_at'], unique=False)

    op.create_table('clubs_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('audition', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_round_club_id_clubs_club'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_round'))
    )
    with op.batch_alter_table('clubs_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_round_club_id'), ['club_id'], unique=False)

    op.create_table('clubs_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('audition_result', sa.String(length=200), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_clubs_application_child_id_core_person')),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_application_club_id_clubs_club'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['core_account.id'], name=op.f('fk_clubs_application_decided_by_core_account')),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_clubs_application_guardian_id_core_person')),
    sa.ForeignKeyConstraint(['round_id'], ['clubs_round.id'], name=op.f('fk_clubs_application_round_id_clubs_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_application')),
    sa.UniqueConstraint('round_id', 'child_id', name=op.f('uq_clubs_application_round_id_child_id'))
    )
    with op.batch_alter_table('clubs_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_application_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_clubs_application_club_status', ['club_id', 'status'], unique=False)

    op.create_table('clubs_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('marked_by', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_clubs_attendance_child_id_core_person')),
    sa.ForeignKeyConstraint(['marked_by'], ['core_account.id'], name=op.f('fk_clubs_attendance_marked_by_core_account')),
    sa.ForeignKeyConstraint(['meeting_id'], ['clubs_meeting.id'], name=op.f('fk_clubs_attendance_meeting_id_clubs_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_attendance')),
    sa.UniqueConstraint('meeting_id', 'child_id', name=op.f('uq_clubs_attendance_meeting_id_child_id'))
    )
    with op.batch_alter_table('clubs_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clubs_attendance_org_path'), ['org_path'], unique=False)

    op.create_table('clubs_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('leave_reason', sa.String(length=200), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['clubs_application.id'], name=op.f('fk_clubs_membership_application_id_clubs_application')),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_clubs_membership_child_id_core_person')),
    sa.ForeignKeyConstraint(['club_id'], ['clubs_club.id'], name=op.f('fk_clubs_membership_club_id_clubs_club'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_clubs_membership_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs_membership'))
    )
    with op.batch_alter_table('clubs_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clubs_membership_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_clubs_membership_club_active', ['club_id', 'left_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clubs_membership_org_path'), ['org_path'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('clubs_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_membership_org_path'))
        batch_op.drop_index('ix_clubs_membership_club_active')
        batch_op.drop_index(batch_op.f('ix_clubs_membership_child_id'))

    op.drop_table('clubs_membership')
    with op.batch_alter_table('clubs_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_attendance_org_path'))
        batch_op.drop_index(batch_op.f('ix_clubs_attendance_meeting_id'))

    op.drop_table('clubs_attendance')
    with op.batch_alter_table('clubs_application', schema=None) as batch_op:
        batch_op.drop_index('ix_clubs_application_club_status')
        batch_op.drop_index(batch_op.f('ix_clubs_application_child_id'))

    op.drop_table('clubs_application')
    with op.batch_alter_table('clubs_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_round_club_id'))

    op.drop_table('clubs_round')
    with op.batch_alter_table('clubs_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_post_created_at'))
        batch_op.drop_index(batch_op.f('ix_clubs_post_club_id'))

    op.drop_table('clubs_post')
    with op.batch_alter_table('clubs_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_photo_club_id'))

    op.drop_table('clubs_photo')
    with op.batch_alter_table('clubs_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_meeting_club_id'))

    op.drop_table('clubs_meeting')
    with op.batch_alter_table('clubs_club', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clubs_club_leader_account_id'))
        batch_op.drop_index(batch_op.f('ix_clubs_club_category'))

    op.drop_table('clubs_club')
