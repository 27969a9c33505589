"""activity notices: reminders and "we missed you" told once per sign-up

Revision ID: a3c9e1f2b7d4
Revises: 7e5b4a71d782
Create Date: 2026-12-01 02:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c9e1f2b7d4'
down_revision = '7e5b4a71d782'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missed_you', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('missed_told_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.drop_column('missed_told_at')
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('missed_you')
