"""person consents to matching

Revision ID: 37dd5396141b
Revises: 949bc0446ef8
Create Date: 2026-11-23 00:39:03.462075

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '37dd5396141b'
down_revision = '949bc0446ef8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consents_to_matching', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Fill it from each person's newest matching consent.
    op.execute("""
        UPDATE person SET consents_to_matching = COALESCE((
            SELECT consent.given FROM consent
            WHERE consent.person_id = person.id AND consent.purpose = 'matching'
            ORDER BY consent.recorded_at DESC LIMIT 1
        ), false)
    """)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('consents_to_matching')
