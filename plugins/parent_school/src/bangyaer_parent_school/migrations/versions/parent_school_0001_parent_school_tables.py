"""parent school tables

Revision ID: parent_school_0001
Revises:
Create Date: 2026-12-03 21:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'parent_school_0001'
down_revision = None
branch_labels = ('parent_school',)
depends_on = None  # the core is always migrated to its head first


def upgrade() -> None:
    op.create_table('parent_school_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_course')),
    sa.UniqueConstraint('code', name=op.f('uq_parent_school_course_code'))
    )
    with op.batch_alter_table('parent_school_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_course_stage'), ['stage'], unique=False)

    op.create_table('parent_school_lecture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('speaker', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_lecture'))
    )
    with op.batch_alter_table('parent_school_lecture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_lecture_starts_at'), ['starts_at'], unique=False)

    op.create_table('parent_school_lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('video_sha256', sa.String(length=64), nullable=True),
    sa.Column('video_type', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['parent_school_course.id'], name=op.f('fk_parent_school_lesson_course_id_parent_school_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_sha256'], ['core_blob.sha256'], name=op.f('fk_parent_school_lesson_video_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_lesson'))
    )
    with op.batch_alter_table('parent_school_lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_lesson_course_id'), ['course_id'], unique=False)

    op.create_table('parent_school_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['parent_school_course.id'], name=op.f('fk_parent_school_question_course_id_parent_school_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_question'))
    )
    with op.batch_alter_table('parent_school_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_question_course_id'), ['course_id'], unique=False)

    op.create_table('parent_school_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['parent_school_course.id'], name=op.f('fk_parent_school_attempt_course_id_parent_school_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_parent_school_attempt_guardian_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_attempt'))
    )
    with op.batch_alter_table('parent_school_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_attempt_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_school_attempt_guardian_id'), ['guardian_id'], unique=False)

    op.create_table('parent_school_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('certificate_serial', sa.String(length=32), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['parent_school_course.id'], name=op.f('fk_parent_school_completion_course_id_parent_school_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_parent_school_completion_guardian_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_completion')),
    sa.UniqueConstraint('course_id', 'guardian_id', name=op.f('uq_parent_school_completion_course_id_guardian_id'))
    )
    with op.batch_alter_table('parent_school_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_completion_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_school_completion_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_school_completion_org_path'), ['org_path'], unique=False)

    op.create_table('parent_school_lesson_done',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['parent_school_course.id'], name=op.f('fk_parent_school_lesson_done_course_id_parent_school_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_parent_school_lesson_done_guardian_id_core_person')),
    sa.ForeignKeyConstraint(['lesson_id'], ['parent_school_lesson.id'], name=op.f('fk_parent_school_lesson_done_lesson_id_parent_school_lesson'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_lesson_done')),
    sa.UniqueConstraint('guardian_id', 'lesson_id', name=op.f('uq_parent_school_lesson_done_guardian_id_lesson_id'))
    )
    with op.batch_alter_table('parent_school_lesson_done', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_lesson_done_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_school_lesson_done_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_school_lesson_done_org_path'), ['org_path'], unique=False)

    op.create_table('parent_school_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lecture_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_parent_school_registration_guardian_id_core_person')),
    sa.ForeignKeyConstraint(['lecture_id'], ['parent_school_lecture.id'], name=op.f('fk_parent_school_registration_lecture_id_parent_school_lecture'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_school_registration')),
    sa.UniqueConstraint('lecture_id', 'guardian_id', name=op.f('uq_parent_school_registration_lecture_id_guardian_id'))
    )
    with op.batch_alter_table('parent_school_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_school_registration_guardian_id'), ['guardian_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('parent_school_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_registration_guardian_id'))

    op.drop_table('parent_school_registration')
    with op.batch_alter_table('parent_school_lesson_done', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_lesson_done_org_path'))
        batch_op.drop_index(batch_op.f('ix_parent_school_lesson_done_guardian_id'))
        batch_op.drop_index(batch_op.f('ix_parent_school_lesson_done_done_at'))

    op.drop_table('parent_school_lesson_done')
    with op.batch_alter_table('parent_school_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_completion_org_path'))
        batch_op.drop_index(batch_op.f('ix_parent_school_completion_guardian_id'))
        batch_op.drop_index(batch_op.f('ix_parent_school_completion_completed_at'))

    op.drop_table('parent_school_completion')
    with op.batch_alter_table('parent_school_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_attempt_guardian_id'))
        batch_op.drop_index(batch_op.f('ix_parent_school_attempt_course_id'))

    op.drop_table('parent_school_attempt')
    with op.batch_alter_table('parent_school_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_question_course_id'))

    op.drop_table('parent_school_question')
    with op.batch_alter_table('parent_school_lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_lesson_course_id'))

    op.drop_table('parent_school_lesson')
    with op.batch_alter_table('parent_school_lecture', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_lecture_starts_at'))

    op.drop_table('parent_school_lecture')
    with op.batch_alter_table('parent_school_course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_school_course_stage'))

    op.drop_table('parent_school_course')
