"""venues, activities (one-off and series), their texts and sign-ups

Revision ID: 7e5b4a71d782
Revises: 4f1c2a7e9b30
Create Date: 2026-12-01 02:12:14.580855

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e5b4a71d782'
down_revision = '4f1c2a7e9b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('venue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=4), nullable=False),
    sa.Column('opening_notes', sa.Text(), nullable=True),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('hearing_loop', sa.Boolean(), nullable=False),
    sa.Column('child_friendly', sa.Boolean(), nullable=False),
    sa.Column('accessible_toilet', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_venue_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue'))
    )
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('activity_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_activity_series_positive_duration')),
    sa.ForeignKeyConstraint(['venue_id'], ['venue.id'], name=op.f('fk_activity_series_venue_id_venue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_series'))
    )
    with op.batch_alter_table('activity_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_series_venue_id'), ['venue_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('host_slots', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('language_codes', sa.String(length=200), nullable=False),
    sa.Column('interpreter', sa.Boolean(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('what_to_bring', sa.String(length=500), nullable=True),
    sa.Column('walk_ins', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('everyone', 'women', 'families', 'youth')", name=op.f('ck_activity_known_audience')),
    sa.CheckConstraint("category IN ('language_cafe', 'bicycle_workshop', 'cafe', 'recycling_shop', 'theme_night', 'lecture', 'swimming', 'homework_cafe', 'trip', 'other')", name=op.f('ck_activity_known_category')),
    sa.CheckConstraint('(series_id IS NULL) = (occurrence_at IS NULL)', name=op.f('ck_activity_occurrence_of_series')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_activity_positive_capacity')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activity_ends_after_start')),
    sa.CheckConstraint('host_slots >= 0', name=op.f('ck_activity_host_slots_not_negative')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_activity_price_not_negative')),
    sa.CheckConstraint('walk_ins IS NULL OR walk_ins >= 0', name=op.f('ck_activity_walk_ins_not_negative')),
    sa.ForeignKeyConstraint(['series_id'], ['activity_series.id'], name=op.f('fk_activity_series_id_activity_series')),
    sa.ForeignKeyConstraint(['venue_id'], ['venue.id'], name=op.f('fk_activity_venue_id_venue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_venue_id'), ['venue_id'], unique=False)

    op.create_table('activity_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_text_activity_id_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_text')),
    sa.UniqueConstraint('activity_id', 'locale', name='uq_activity_text_locale')
    )
    op.create_table('activity_host',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_host_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_activity_host_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_host')),
    sa.UniqueConstraint('activity_id', 'user_id', name='uq_activity_host_user')
    )
    with op.batch_alter_table('activity_host', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_host_user_id'), ['user_id'], unique=False)

    op.create_table('sign_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_sign_up_known_status')),
    sa.CheckConstraint('CAST(person_id IS NOT NULL AS INTEGER) + CAST(user_id IS NOT NULL AS INTEGER) + CAST(contact_name IS NOT NULL AS INTEGER) = 1', name=op.f('ck_sign_up_one_kind_of_person')),
    sa.CheckConstraint('contact_name IS NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL', name=op.f('ck_sign_up_contact_reachable')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_sign_up_at_least_one_seat')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_sign_up_activity_id_activity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_sign_up_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_sign_up_person_id_person')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_sign_up_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_up'))
    )
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_up_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_up_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_up_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_sign_up_live_person', ['activity_id', 'person_id'], unique=True, sqlite_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"), postgresql_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"))
        batch_op.create_index('uq_sign_up_live_user', ['activity_id', 'user_id'], unique=True, sqlite_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"), postgresql_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"))



def downgrade():
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.drop_index('uq_sign_up_live_user', sqlite_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"), postgresql_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"))
        batch_op.drop_index('uq_sign_up_live_person', sqlite_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"), postgresql_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_sign_up_user_id'))
        batch_op.drop_index(batch_op.f('ix_sign_up_person_id'))
        batch_op.drop_index(batch_op.f('ix_sign_up_activity_id'))

    op.drop_table('sign_up')
    with op.batch_alter_table('activity_host', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_host_user_id'))

    op.drop_table('activity_host')
    op.drop_table('activity_text')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_venue_id'))
        batch_op.drop_index(batch_op.f('ix_activity_starts_at'))
        batch_op.drop_index(batch_op.f('ix_activity_series_id'))

    op.drop_table('activity')
    with op.batch_alter_table('activity_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_series_venue_id'))

    op.drop_table('activity_series')
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_municipality_code'))

    op.drop_table('venue')
