"""accounts and reference data

Revision ID: b44841345af1
Revises: 
Create Date: 2026-11-23 00:06:26.836756

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b44841345af1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('name', name=op.f('uq_region_name'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'head_office', 'manager', 'volunteer', 'refugee')", name=op.f('ck_app_user_known_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_app_user_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email')),
    sa.UniqueConstraint('phone', name=op.f('uq_app_user_phone'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('municipality',
    sa.Column('code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('population_year', sa.Integer(), nullable=True),
    sa.CheckConstraint('code BETWEEN 100 AND 999', name=op.f('ck_municipality_code_3_digits')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_municipality_region_id_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipality')),
    sa.UniqueConstraint('name', name=op.f('uq_municipality_name'))
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_region_id'), ['region_id'], unique=False)

    op.create_table('manager_municipality',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_manager_municipality_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_manager_municipality_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'municipality_code', name=op.f('pk_manager_municipality'))
    )
    with op.batch_alter_table('manager_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manager_municipality_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('postcode_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.CheckConstraint('first BETWEEN 1000 AND 9999 AND last >= first', name=op.f('ck_postcode_area_valid_range')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_postcode_area_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postcode_area')),
    sa.UniqueConstraint('first', 'last', name='uq_postcode_area_range')
    )
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postcode_area_first'), ['first'], unique=False)
        batch_op.create_index(batch_op.f('ix_postcode_area_municipality_code'), ['municipality_code'], unique=False)



def downgrade():
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postcode_area_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_postcode_area_first'))

    op.drop_table('postcode_area')
    with op.batch_alter_table('manager_municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manager_municipality_municipality_code'))

    op.drop_table('manager_municipality')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_region_id'))

    op.drop_table('municipality')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_organisation_id'))

    op.drop_table('app_user')
    op.drop_table('region')
    op.drop_table('organisation')
