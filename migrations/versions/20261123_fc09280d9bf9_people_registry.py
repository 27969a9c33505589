"""people registry

Revision ID: fc09280d9bf9
Revises: 9db5684e3b4c
Create Date: 2026-11-23 00:20:52.336702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fc09280d9bf9'
down_revision = '9db5684e3b4c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('file_format', sa.String(length=4), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_export_record_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_record'))
    )
    with op.batch_alter_table('export_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_record_user_id'), ['user_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('latin_name', sa.String(length=200), nullable=True),
    sa.Column('name_key', sa.String(length=400), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('message_locale', sa.String(length=8), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.Column('postcode', sa.String(length=4), nullable=True),
    sa.Column('hopes', sa.Text(), nullable=True),
    sa.Column('available_weekday_day', sa.Boolean(), nullable=False),
    sa.Column('available_weekday_evening', sa.Boolean(), nullable=False),
    sa.Column('available_weekend', sa.Boolean(), nullable=False),
    sa.Column('wants_gender', sa.String(length=10), nullable=True),
    sa.Column('family', sa.Boolean(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=True),
    sa.Column('age_max', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('household_adults', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('max_distance_km', sa.Integer(), nullable=True),
    sa.Column('child_certificate_on', sa.Date(), nullable=True),
    sa.Column('child_certificate_clean', sa.Boolean(), nullable=False),
    sa.Column('recruited_by', sa.String(length=120), nullable=True),
    sa.CheckConstraint("(kind = 'refugee' AND status IN ('waiting', 'matched', 'paused', 'left')) OR (kind = 'volunteer' AND status IN ('applicant', 'available', 'matched', 'full', 'paused', 'left'))", name=op.f('ck_person_status_fits_kind')),
    sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name=op.f('ck_person_known_gender')),
    sa.CheckConstraint("kind IN ('refugee', 'volunteer')", name=op.f('ck_person_known_kind')),
    sa.CheckConstraint("wants_gender IS NULL OR wants_gender IN ('female', 'male', 'other')", name=op.f('ck_person_known_wanted_gender')),
    sa.CheckConstraint('age_min IS NULL OR age_max IS NULL OR age_min <= age_max', name=op.f('ck_person_age_range')),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100', name=op.f('ck_person_birth_year_range')),
    sa.CheckConstraint('capacity IS NULL OR capacity BETWEEN 1 AND 3', name=op.f('ck_person_capacity_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_person_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_person_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_email'), ['email'], unique=False)
        batch_op.create_index('ix_person_kind_municipality_status', ['kind', 'municipality_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_phone'), ['phone'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("method IN ('paper', 'oral_interpreter', 'oral', 'online')", name=op.f('ck_consent_known_method')),
    sa.CheckConstraint("purpose IN ('matching', 'contact', 'statistics')", name=op.f('ck_consent_known_purpose')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_consent_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_consent_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_person_id'), ['person_id'], unique=False)

    op.create_table('family_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_family_member_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_member'))
    )
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_member_person_id'), ['person_id'], unique=False)

    op.create_table('household_child',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_household_child_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_child'))
    )
    with op.batch_alter_table('household_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_child_person_id'), ['person_id'], unique=False)

    op.create_table('person_interest',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('interest_key', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_interest_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'interest_key', name=op.f('pk_person_interest'))
    )
    with op.batch_alter_table('person_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_interest_interest_key'), ['interest_key'], unique=False)

    op.create_table('person_language',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_person_language_level_range')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_language_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'code', name=op.f('pk_person_language'))
    )
    with op.batch_alter_table('person_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_language_code'), ['code'], unique=False)

    op.create_table('status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['app_user.id'], name=op.f('fk_status_change_changed_by_id_app_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_status_change_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_change'))
    )
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_change_person_id'), ['person_id'], unique=False)

    op.create_table('training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training'))
    )
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_person_id'))

    op.drop_table('training')
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_change_person_id'))

    op.drop_table('status_change')
    with op.batch_alter_table('person_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_language_code'))

    op.drop_table('person_language')
    with op.batch_alter_table('person_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_interest_interest_key'))

    op.drop_table('person_interest')
    with op.batch_alter_table('household_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_child_person_id'))

    op.drop_table('household_child')
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_member_person_id'))

    op.drop_table('family_member')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_person_id'))

    op.drop_table('consent')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_phone'))
        batch_op.drop_index(batch_op.f('ix_person_name_key'))
        batch_op.drop_index('ix_person_kind_municipality_status')
        batch_op.drop_index(batch_op.f('ix_person_email'))

    op.drop_table('person')
    with op.batch_alter_table('export_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_record_user_id'))

    op.drop_table('export_record')
