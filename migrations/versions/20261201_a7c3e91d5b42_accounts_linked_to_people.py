"""accounts linked to people, and the previous login kept

Revision ID: a7c3e91d5b42
Revises: a3c9e1f2b7d4
Create Date: 2026-12-01 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d5b42'
down_revision = 'a3c9e1f2b7d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_app_user_person_id'), ['person_id'])
        batch_op.create_foreign_key(batch_op.f('fk_app_user_person_id_person'), 'person', ['person_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_app_user_person_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_app_user_person_id'), type_='unique')
        batch_op.drop_column('person_id')
        batch_op.drop_column('previous_login_at')
