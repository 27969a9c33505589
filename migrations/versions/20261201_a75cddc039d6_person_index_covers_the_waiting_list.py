"""person index by kind, municipality and status also covers the waiting list

The waiting list filters on archived_at and consents_to_matching as well and
sorts by arrival (created_at when arrived_on is unknown); with those columns
in the index its per-municipality counts read the index alone, and SQLite
sorts it without reading the rows. Same leading columns, so every query the
old index served still finds them.

Revision ID: a75cddc039d6
Revises: c4e8d2a9f1b3
Create Date: 2026-12-01 05:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a75cddc039d6'
down_revision = 'c4e8d2a9f1b3'
branch_labels = None
depends_on = None

OLD = ['kind', 'municipality_code', 'status']
NEW = [*OLD, 'archived_at', 'consents_to_matching', 'arrived_on', 'created_at']


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_kind_municipality_status')
        batch_op.create_index('ix_person_kind_municipality_status_since', NEW, unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_kind_municipality_status_since')
        batch_op.create_index('ix_person_kind_municipality_status', OLD, unique=False)
