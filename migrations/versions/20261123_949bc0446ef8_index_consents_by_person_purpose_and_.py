"""index consents by person, purpose and time

Revision ID: 949bc0446ef8
Revises: fc09280d9bf9
Create Date: 2026-11-23 00:37:59.169972

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '949bc0446ef8'
down_revision = 'fc09280d9bf9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_person_id'))
        batch_op.create_index('ix_consent_person_purpose_recorded', ['person_id', 'purpose', 'recorded_at'], unique=False)


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_person_purpose_recorded')
        batch_op.create_index(batch_op.f('ix_consent_person_id'), ['person_id'], unique=False)
