"""matches

Revision ID: 53e6a5ce5983
Revises: 37dd5396141b
Create Date: 2026-11-23 00:46:56.645799

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '53e6a5ce5983'
down_revision = '37dd5396141b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('friend_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refugee_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('refugee_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('volunteer_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_by', sa.String(length=10), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('end_note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("declined_by IS NULL OR declined_by IN ('refugee', 'volunteer')", name=op.f('ck_friend_match_known_side')),
    sa.CheckConstraint("status IN ('proposed', 'active', 'declined', 'ended')", name=op.f('ck_friend_match_known_status')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['app_user.id'], name=op.f('fk_friend_match_proposed_by_id_app_user')),
    sa.ForeignKeyConstraint(['refugee_id'], ['person.id'], name=op.f('fk_friend_match_refugee_id_person')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['person.id'], name=op.f('fk_friend_match_volunteer_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_friend_match'))
    )
    with op.batch_alter_table('friend_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_friend_match_refugee_id'), ['refugee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_friend_match_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index('uq_friend_match_open_refugee', ['refugee_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'active')"))



def downgrade():
    with op.batch_alter_table('friend_match', schema=None) as batch_op:
        batch_op.drop_index('uq_friend_match_open_refugee', sqlite_where=sa.text("status IN ('proposed', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'active')"))
        batch_op.drop_index(batch_op.f('ix_friend_match_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_friend_match_refugee_id'))

    op.drop_table('friend_match')
