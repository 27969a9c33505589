"""Many ids sent to the database as one parameter.

A thousand ids as a thousand parameters (``IN (?, ?, …)``) cost more to
build and bind than the query costs to run, and make every statement a new
one to compile. One array (PostgreSQL) or one JSON list read by
``json_each`` (SQLite) keeps the statement the same whatever the ids.
"""
import json

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def listed_ids(name, dialect):
    """A select of the ids in the parameter `name`, whose value `ids_value` makes."""
    if dialect == "postgresql":
        return sa.select(sa.func.unnest(sa.bindparam(name, type_=postgresql.ARRAY(sa.Integer))))
    return sa.select(sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value").c.value)


def ids_value(ids, dialect):
    """The value of a `listed_ids` parameter holding `ids`."""
    return list(ids) if dialect == "postgresql" else json.dumps(list(ids))
