"""core tables

Revision ID: core_0001
Revises: 
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'core_0001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('core_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_core_blob'))
    )
    op.create_table('core_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('actor_account_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_event'))
    )
    with op.batch_alter_table('core_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_event_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_event_type'), ['type'], unique=False)

    op.create_table('core_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_by', sa.String(length=100), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_job')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_core_job_idempotency_key'))
    )
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.create_index('ix_core_job_ready', ['status', 'run_at'], unique=False)

    op.create_table('core_login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_login_attempt'))
    )
    with op.batch_alter_table('core_login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_core_login_attempt_username_at', ['username', 'at'], unique=False)

    op.create_table('core_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['core_organisation.id'], name=op.f('fk_core_organisation_parent_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_organisation')),
    sa.UniqueConstraint('parent_id', 'code', name=op.f('uq_core_organisation_parent_id_code'))
    )
    with op.batch_alter_table('core_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_organisation_path'), ['path'], unique=False)

    op.create_table('core_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('external_no', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['core_organisation.id'], name=op.f('fk_core_person_class_id_core_organisation')),
    sa.ForeignKeyConstraint(['school_id'], ['core_organisation.id'], name=op.f('fk_core_person_school_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_person')),
    sa.UniqueConstraint('kind', 'external_no', name=op.f('uq_core_person_kind_external_no'))
    )
    with op.batch_alter_table('core_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_person_org_path'), ['org_path'], unique=False)
        batch_op.create_index('ix_core_person_school_kind', ['school_id', 'kind'], unique=False)

    op.create_table('core_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['core_person.id'], name=op.f('fk_core_account_person_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_account')),
    sa.UniqueConstraint('username', name=op.f('uq_core_account_username'))
    )
    with op.batch_alter_table('core_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_account_person_id'), ['person_id'], unique=False)

    op.create_table('core_guardianship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['core_person.id'], name=op.f('fk_core_guardianship_guardian_id_core_person')),
    sa.ForeignKeyConstraint(['student_id'], ['core_person.id'], name=op.f('fk_core_guardianship_student_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_guardianship')),
    sa.UniqueConstraint('guardian_id', 'student_id', name=op.f('uq_core_guardianship_guardian_id_student_id'))
    )
    with op.batch_alter_table('core_guardianship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_guardianship_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_guardianship_student_id'), ['student_id'], unique=False)

    op.create_table('core_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['core_person.id'], name=op.f('fk_core_message_person_id_core_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_message'))
    )
    with op.batch_alter_table('core_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_message_batch'), ['batch'], unique=False)
        batch_op.create_index('ix_core_message_person_read', ['person_id', 'read_at'], unique=False)

    op.create_table('core_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_core_audit_account_id_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_audit'))
    )
    with op.batch_alter_table('core_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_audit_at'), ['at'], unique=False)
        batch_op.create_index('ix_core_audit_target', ['target_type', 'target_id'], unique=False)

    op.create_table('core_external_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_core_external_identity_account_id_core_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_external_identity')),
    sa.UniqueConstraint('provider', 'tenant', 'subject', name=op.f('uq_core_external_identity_provider_tenant_subject'))
    )
    with op.batch_alter_table('core_external_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_external_identity_account_id'), ['account_id'], unique=False)

    op.create_table('core_role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['core_account.id'], name=op.f('fk_core_role_grant_account_id_core_account')),
    sa.ForeignKeyConstraint(['org_id'], ['core_organisation.id'], name=op.f('fk_core_role_grant_org_id_core_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_role_grant')),
    sa.UniqueConstraint('account_id', 'role', 'org_id', name=op.f('uq_core_role_grant_account_id_role_org_id'))
    )
    with op.batch_alter_table('core_role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_role_grant_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('core_role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_role_grant_account_id'))

    op.drop_table('core_role_grant')
    with op.batch_alter_table('core_external_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_external_identity_account_id'))

    op.drop_table('core_external_identity')
    with op.batch_alter_table('core_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_core_audit_target')
        batch_op.drop_index(batch_op.f('ix_core_audit_at'))

    op.drop_table('core_audit')
    with op.batch_alter_table('core_message', schema=None) as batch_op:
        batch_op.drop_index('ix_core_message_person_read')
        batch_op.drop_index(batch_op.f('ix_core_message_batch'))

    op.drop_table('core_message')
    with op.batch_alter_table('core_guardianship', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_guardianship_student_id'))
        batch_op.drop_index(batch_op.f('ix_core_guardianship_guardian_id'))

    op.drop_table('core_guardianship')
    with op.batch_alter_table('core_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_account_person_id'))

    op.drop_table('core_account')
    with op.batch_alter_table('core_person', schema=None) as batch_op:
        batch_op.drop_index('ix_core_person_school_kind')
        batch_op.drop_index(batch_op.f('ix_core_person_org_path'))

    op.drop_table('core_person')
    with op.batch_alter_table('core_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_organisation_path'))

    op.drop_table('core_organisation')
    with op.batch_alter_table('core_login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_core_login_attempt_username_at')

    op.drop_table('core_login_attempt')
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.drop_index('ix_core_job_ready')

    op.drop_table('core_job')
    with op.batch_alter_table('core_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_event_type'))
        batch_op.drop_index(batch_op.f('ix_core_event_subject_id'))

    op.drop_table('core_event')
    op.drop_table('core_blob')
