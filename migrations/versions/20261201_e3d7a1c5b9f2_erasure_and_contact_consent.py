"""erasure and contact consent: person.erased_at, person.consents_to_contact

Revision ID: e3d7a1c5b9f2
Revises: e1a7d3c5b9f2
Create Date: 2026-12-01 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3d7a1c5b9f2'
down_revision = 'e1a7d3c5b9f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consents_to_contact', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_person_erased_is_archived'), 'erased_at IS NULL OR archived_at IS NOT NULL'
        )
    # Fill it from each person's newest contact consent.
    op.execute("""
        UPDATE person SET consents_to_contact = COALESCE((
            SELECT consent.given FROM consent
            WHERE consent.person_id = person.id AND consent.purpose = 'contact'
            ORDER BY consent.recorded_at DESC LIMIT 1
        ), false)
    """)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_person_erased_is_archived'), type_='check')
        batch_op.drop_column('consents_to_contact')
        batch_op.drop_column('erased_at')
