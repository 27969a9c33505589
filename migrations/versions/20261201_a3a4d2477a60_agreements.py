"""agreements: cooperation agreements per municipality and organisation, documents, history, renewal reminders; person.consents_to_statistics

Revision ID: a3a4d2477a60
Revises: a7c3e91d5b42
Create Date: 2026-12-01 02:28:40.355190

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3a4d2477a60'
down_revision = 'a7c3e91d5b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consents_to_statistics', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Fill it from each person's newest statistics consent.
    op.execute("""
        UPDATE person SET consents_to_statistics = COALESCE((
            SELECT consent.given FROM consent
            WHERE consent.person_id = person.id AND consent.purpose = 'statistics'
            ORDER BY consent.recorded_at DESC LIMIT 1
        ), false)
    """)
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('municipal_contact', sa.String(length=200), nullable=True),
    sa.Column('municipal_contact_email', sa.String(length=254), nullable=True),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('municipality_commitments', sa.Text(), nullable=True),
    sa.Column('organisation_commitments', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status != 'signed' OR signed_on IS NOT NULL", name=op.f('ck_agreement_signed_has_date')),
    sa.CheckConstraint("status IN ('no_contact', 'in_dialogue', 'signed', 'expired', 'terminated')", name=op.f('ck_agreement_known_status')),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_agreement_valid_range')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['app_user.id'], name=op.f('fk_agreement_coordinator_id_app_user')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_agreement_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_agreement_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('municipality_code', 'organisation_id', name='uq_agreement_municipality_organisation')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_valid_to'), ['valid_to'], unique=False)

    op.create_table('agreement_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('pdf', 'docx')", name=op.f('ck_agreement_document_known_kind')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_document_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_agreement_document_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_agreement_document_stored_name'))
    )
    with op.batch_alter_table('agreement_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_document_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('agreement_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_status_change_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['app_user.id'], name=op.f('fk_agreement_status_change_changed_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_status_change'))
    )
    with op.batch_alter_table('agreement_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_status_change_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('renewal_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_renewal_reminder_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal_reminder')),
    sa.UniqueConstraint('agreement_id', 'valid_to', name='uq_renewal_reminder_once')
    )


def downgrade():
    op.drop_table('renewal_reminder')
    with op.batch_alter_table('agreement_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_status_change_agreement_id'))

    op.drop_table('agreement_status_change')
    with op.batch_alter_table('agreement_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_document_agreement_id'))

    op.drop_table('agreement_document')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_valid_to'))
        batch_op.drop_index(batch_op.f('ix_agreement_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_municipality_code'))

    op.drop_table('agreement')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('consents_to_statistics')
