"""classroom tables

Revision ID: classroom_0001
Revises:
Create Date: 2026-12-03 20:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'classroom_0001'
down_revision = None
branch_labels = ('classroom',)
depends_on = None  # the core is always migrated to its head first


def upgrade() -> None:
    op.create_table('classroom_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('teacher', sa.String(length=60), nullable=False),
    sa.Column('year_min', sa.Integer(), nullable=False),
    sa.Column('year_max', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certificate', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['core_account.id'], name=op.f('fk_classroom_course_created_by_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_course'))
    )
    with op.batch_alter_table('classroom_course', schema=None) as batch_op:
        batch_op.create_index('ix_classroom_course_listing', ['published', 'category'], unique=False)

    op.create_table('classroom_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_classroom_completion_child_id_core_person')),
    sa.ForeignKeyConstraint(['course_id'], ['classroom_course.id'], name=op.f('fk_classroom_completion_course_id_classroom_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_classroom_completion_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_completion')),
    sa.UniqueConstraint('child_id', 'course_id', name=op.f('uq_classroom_completion_child_id_course_id'))
    )
    with op.batch_alter_table('classroom_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_completion_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classroom_completion_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classroom_completion_org_path'), ['org_path'], unique=False)

    op.create_table('classroom_lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('external_url', sa.String(length=500), nullable=False),
    sa.Column('video_sha256', sa.String(length=64), nullable=True),
    sa.Column('video_type', sa.String(length=100), nullable=True),
    sa.Column('video_size', sa.Integer(), nullable=True),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['classroom_course.id'], name=op.f('fk_classroom_lesson_course_id_classroom_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_sha256'], ['core_blob.sha256'], name=op.f('fk_classroom_lesson_video_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_lesson'))
    )
    with op.batch_alter_table('classroom_lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_lesson_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_classroom_lesson_order', ['course_id', 'position'], unique=False)

    op.create_table('classroom_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['classroom_lesson.id'], name=op.f('fk_classroom_document_lesson_id_classroom_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['core_blob.sha256'], name=op.f('fk_classroom_document_sha256_core_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_document'))
    )
    with op.batch_alter_table('classroom_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_document_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('classroom_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['core_person.id'], name=op.f('fk_classroom_progress_child_id_core_person')),
    sa.ForeignKeyConstraint(['course_id'], ['classroom_course.id'], name=op.f('fk_classroom_progress_course_id_classroom_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['classroom_lesson.id'], name=op.f('fk_classroom_progress_lesson_id_classroom_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_classroom_progress_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_progress')),
    sa.UniqueConstraint('child_id', 'lesson_id', name=op.f('uq_classroom_progress_child_id_lesson_id'))
    )
    with op.batch_alter_table('classroom_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_progress_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classroom_progress_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classroom_progress_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classroom_progress_org_path'), ['org_path'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('classroom_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classroom_progress_org_path'))
        batch_op.drop_index(batch_op.f('ix_classroom_progress_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_classroom_progress_course_id'))
        batch_op.drop_index(batch_op.f('ix_classroom_progress_child_id'))

    op.drop_table('classroom_progress')
    with op.batch_alter_table('classroom_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classroom_document_lesson_id'))

    op.drop_table('classroom_document')
    with op.batch_alter_table('classroom_lesson', schema=None) as batch_op:
        batch_op.drop_index('ix_classroom_lesson_order')
        batch_op.drop_index(batch_op.f('ix_classroom_lesson_course_id'))

    op.drop_table('classroom_lesson')
    with op.batch_alter_table('classroom_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classroom_completion_org_path'))
        batch_op.drop_index(batch_op.f('ix_classroom_completion_course_id'))
        batch_op.drop_index(batch_op.f('ix_classroom_completion_child_id'))

    op.drop_table('classroom_completion')
    with op.batch_alter_table('classroom_course', schema=None) as batch_op:
        batch_op.drop_index('ix_classroom_course_listing')

    op.drop_table('classroom_course')
