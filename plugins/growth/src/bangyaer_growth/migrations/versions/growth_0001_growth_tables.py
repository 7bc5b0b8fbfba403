"""growth tables

Revision ID: growth_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'growth_0001'
down_revision = None
branch_labels = ('growth',)
depends_on = None  # the core (core_certificate included) is always migrated first


def upgrade() -> None:
    op.create_table('growth_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('award', sa.String(length=100), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('ref', sa.String(length=100), nullable=True),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['core_certificate.id'], name=op.f('fk_growth_record_certificate_id_core_certificate')),
    sa.ForeignKeyConstraint(['event_id'], ['core_event.id'], name=op.f('fk_growth_record_event_id_core_event')),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_growth_record_school_id_core_organisation')),
    sa.ForeignKeyConstraint(['student_id'], ['core_person.id'], name=op.f('fk_growth_record_student_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_growth_record')),
    sa.UniqueConstraint('event_id', name=op.f('uq_growth_record_event_id'))
    )
    with op.batch_alter_table('growth_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_growth_record_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_growth_record_org_path'), ['org_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_growth_record_ref'), ['ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_growth_record_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_growth_record_student_at', ['student_id', 'occurred_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('growth_record', schema=None) as batch_op:
        batch_op.drop_index('ix_growth_record_student_at')
        batch_op.drop_index(batch_op.f('ix_growth_record_school_id'))
        batch_op.drop_index(batch_op.f('ix_growth_record_ref'))
        batch_op.drop_index(batch_op.f('ix_growth_record_org_path'))
        batch_op.drop_index(batch_op.f('ix_growth_record_category'))

    op.drop_table('growth_record')
