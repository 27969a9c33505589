"""person index by kind, municipality and status also holds who may be matched

The waiting list and the suggestions filter on archived_at and
consents_to_matching as well; with those two in the index, the waiting
list's counts per municipality read the index alone, and the rows left
out are left out before a row is read. Same leading columns, and the rows
of one kind, municipality and status stay in row order (no column such as
a date that would scatter the reads of a list sorted by name).

Revision ID: a75cddc039d6
Revises: e3d7a1c5b9f2
Create Date: 2026-12-01 05:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a75cddc039d6'
down_revision = 'e3d7a1c5b9f2'
branch_labels = None
depends_on = None

OLD = ['kind', 'municipality_code', 'status']
NEW = [*OLD, 'archived_at', 'consents_to_matching']


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_kind_municipality_status')
        batch_op.create_index('ix_person_kind_municipality_status_matchable', NEW, unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_kind_municipality_status_matchable')
        batch_op.create_index('ix_person_kind_municipality_status', OLD, unique=False)
