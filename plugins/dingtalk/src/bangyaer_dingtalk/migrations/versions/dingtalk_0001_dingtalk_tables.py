"""dingtalk tables

Revision ID: dingtalk_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'dingtalk_0001'
down_revision = None
branch_labels = ('dingtalk',)
depends_on = None


def upgrade() -> None:
    op.create_table('dingtalk_dept',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corp_id', sa.String(length=64), nullable=False),
    sa.Column('dept_id', sa.BigInteger(), nullable=False),
    sa.Column('dept_type', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['core_organisation.id'], name=op.f('fk_dingtalk_dept_org_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dingtalk_dept')),
    sa.UniqueConstraint('corp_id', 'dept_id', name=op.f('uq_dingtalk_dept_corp_id_dept_id'))
    )
    with op.batch_alter_table('dingtalk_dept', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dingtalk_dept_org_id'), ['org_id'], unique=False)

    op.create_table('dingtalk_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corp_id', sa.String(length=64), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('class_dept_id', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['core_person.id'], name=op.f('fk_dingtalk_member_person_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dingtalk_member')),
    sa.UniqueConstraint('corp_id', 'userid', 'role', name=op.f('uq_dingtalk_member_corp_id_userid_role'))
    )
    with op.batch_alter_table('dingtalk_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dingtalk_member_person_id'), ['person_id'], unique=False)

    op.create_table('dingtalk_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('corp_id', sa.String(length=64), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('content_key', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('task_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['core_message.id'], name=op.f('fk_dingtalk_delivery_message_id_core_message')),
    sa.ForeignKeyConstraint(['person_id'], ['core_person.id'], name=op.f('fk_dingtalk_delivery_person_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dingtalk_delivery')),
    sa.UniqueConstraint('message_id', name=op.f('uq_dingtalk_delivery_message_id')),
    sa.UniqueConstraint('person_id', 'content_key', 'day', name=op.f('uq_dingtalk_delivery_person_id_content_key_day'))
    )
    with op.batch_alter_table('dingtalk_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_dingtalk_delivery_task', ['corp_id', 'task_id'], unique=False)

    op.create_table('dingtalk_sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corp_id', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('deactivated', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dingtalk_sync_run'))
    )
    with op.batch_alter_table('dingtalk_sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dingtalk_sync_run_corp_id'), ['corp_id'], unique=False)


def downgrade() -> None:
    op.drop_table('dingtalk_sync_run')
    op.drop_table('dingtalk_delivery')
    op.drop_table('dingtalk_member')
    op.drop_table('dingtalk_dept')
