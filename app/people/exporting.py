"""Exporting the people a manager may see, as CSV or XLSX, and recording it.

An export of a whole municipality or of the country can hold tens of
thousands of people, so it is streamed: the ids are read first (in the
list's order), then people are loaded a batch at a time as plain rows —
five queries per batch for the people, their languages, interests,
children and consents — and written out row by row. CSV goes straight into
the response; XLSX goes through rustpy-xlsxwriter (Python's binding of the
Rust rust_xlsxwriter) in its constant-memory mode into a temporary file: it
writes 60,000 people in well under a second, where pure-Python XlsxWriter
took five (about 6 µs a cell) and openpyxl more; imports still read with
openpyxl. Memory stays that of one
batch, the queries are the ids, the municipalities' names and 5 per
``BATCH`` people, and each row is made by the same ``export_row`` as
before, so the file is the same. The export is recorded, with the number
of people, before the file is sent.
"""
import codecs
import io
import tempfile
from itertools import chain, groupby
from operator import itemgetter
from types import SimpleNamespace

import sqlalchemy as sa
from rustpy_xlsxwriter import FastExcel

from app.extensions import db
from app.idsets import ids_value, listed_ids
from app.municipalities.models import Municipality
from app.people.columns import COLUMNS, export_row, headers_for
from app.people.models import (
    AVAILABILITY_TITLES,
    Consent,
    ExportRecord,
    HouseholdChild,
    Person,
    PersonInterest,
    PersonLanguage,
)
from app.spreadsheets import CsvWriter, xlsx_row

#: People loaded and written at a time.
BATCH = 1000
#: Dates as import reads them back. (Every text is written as text: what looks like a formula, a number or
#: a link stays a string; `xlsx_row` quotes formula-like texts too, for whoever copies a cell.)
XLSX_DATE_FORMAT = "yyyy-mm-dd"
#: The sheet's name in every workbook the platform writes.
SHEET_NAME = "Ark1"


def person_ids(query, model):
    """Return the ids of the people ``query`` (a select of ``model``, Refugee or Volunteer) finds, in its order.

    Erased people are never exported: only their anonymous row is left, for counting.
    """
    return db.session.scalars(query.with_only_columns(model.id).where(model.erased_at.is_(None))).all()


def record_export(kind, file_format, user, row_count):
    """Record who exported how many people, as every export is."""
    db.session.add(ExportRecord(user_id=user.id, kind=kind, file_format=file_format, row_count=row_count))
    db.session.flush()


def csv_chunks(app, kind, ids, locale):
    """Yield the CSV file's bytes a batch at a time: a BOM, the headers, then one line per person.

    A WSGI server reads the response after the request has ended, and may
    resume the generator in another thread or context between chunks (the
    test client does), so each batch is read in an application context of
    its own, pushed and popped within one step, rather than keeping the
    request's contexts alive as ``stream_with_context`` would.
    """
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(headers_for(kind, locale))
    yield codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
    batches = _row_batches(ids)
    while True:
        with app.app_context():
            rows = next(batches, None)
        if rows is None:
            return
        out.seek(0)
        out.truncate()
        writer.writerows(rows)
        yield out.getvalue().encode("utf-8")


def xlsx_file(kind, ids, locale):
    """Return a temporary file holding the XLSX workbook, written row by row, positioned at its start."""
    out = tempfile.TemporaryFile()
    _write_xlsx(out, headers_for(kind, locale), chain.from_iterable(_row_batches(ids)))
    out.seek(0)
    return out


def template(kind, file_format, locale):
    """An empty import file with the right headers."""
    headers = headers_for(kind, locale)
    return _xlsx(headers, []) if file_format == "xlsx" else _csv(headers, [])


def _csv(headers, rows):
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(headers, rows):
    out = io.BytesIO()
    _write_xlsx(out, headers, rows)
    return out.getvalue()


def _write_xlsx(out, headers, rows):
    """Write a one-sheet workbook of ``headers`` and ``rows`` into the binary file ``out``.

    The writer takes each row as a mapping from header to cell, and writes
    the first row's keys as the header row; a file with no rows (an import
    template) gets one row of empty cells, which writes the headers alone.
    Headers are distinct in every language (a test holds them to it), so no
    cell is lost to a repeated key.
    """
    records = (dict(zip(headers, xlsx_row(row))) for row in rows)
    first = next(records, dict.fromkeys(headers))
    FastExcel(out, output_format="xlsx").format(datetime_format=XLSX_DATE_FORMAT).sheet(
        SHEET_NAME, chain([first], records)
    ).save()


class _Exported:
    """One person as ``export_row`` reads them, made from plain rows instead of an ORM object.

    Columns come from the person's row; the few properties ``export_row``
    uses are ``Person``'s own, so both give the same cells.
    """

    availability = Person.availability
    interest_keys = Person.interest_keys
    current_consent = Person.current_consent
    has_consent = Person.has_consent

    def __init__(self, row, municipalities, languages, interests, children, consents):
        self.__dict__.update(zip(_PERSON_KEYS, row))
        self.municipality = municipalities[self.municipality_code]
        self.languages, self.interests = languages, interests
        self.household_children, self.consents = children, consents


#: The person columns an export reads: its plain cells, and what the derived ones are made from.
_PERSON_COLUMNS = tuple(
    Person.__table__.c[name]
    for name in dict.fromkeys(
        ["id", "kind", "gender", "municipality_code", *(f"available_{slot}" for slot in AVAILABILITY_TITLES)]
        + [c.key for c in COLUMNS if c.key in Person.__table__.c]
    )
)
_PERSON_KEYS = tuple(column.name for column in _PERSON_COLUMNS)


def _by_person(connection, statement, batch):
    """Return person id -> rows of ``statement`` for the people in ``batch``; its first column is the person id,
    and it is sorted by it."""
    rows = connection.execute(statement, {"batch": batch}).all()
    return {person_id: list(rows) for person_id, rows in groupby(rows, itemgetter(0))}


def _row_batches(ids):
    """Yield the export rows of the people with ``ids``, a list per ``BATCH``, in the order of ``ids``."""
    dialect = db.session.connection().dialect.name
    municipalities = {
        code: SimpleNamespace(name=name)
        for code, name in db.session.execute(sa.select(Municipality.code, Municipality.name))
    }
    people_of_batch = sa.select(*_PERSON_COLUMNS).where(Person.id.in_(listed_ids("batch", dialect)))
    # The same orders as the relationships on Person, with a tie-breaker.
    related = (
        sa.select(PersonLanguage.person_id, PersonLanguage.code, PersonLanguage.level)
        .where(PersonLanguage.person_id.in_(listed_ids("batch", dialect)))
        .order_by(PersonLanguage.person_id, PersonLanguage.level.desc(), PersonLanguage.code),
        sa.select(PersonInterest.person_id, PersonInterest.interest_key)
        .where(PersonInterest.person_id.in_(listed_ids("batch", dialect)))
        .order_by(PersonInterest.person_id, PersonInterest.interest_key),
        sa.select(HouseholdChild.person_id, HouseholdChild.birth_year)
        .where(HouseholdChild.person_id.in_(listed_ids("batch", dialect)))
        .order_by(HouseholdChild.person_id, HouseholdChild.birth_year, HouseholdChild.id),
        sa.select(Consent.person_id, Consent.purpose, Consent.given, Consent.method)
        .where(Consent.person_id.in_(listed_ids("batch", dialect)))
        .order_by(Consent.person_id, Consent.recorded_at.desc(), Consent.id.desc()),
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        value = ids_value(batch, dialect)
        # Asked for each batch: `csv_chunks` reads each batch in an application context (and session) of its own.
        connection = db.session.connection()
        people = {row[0]: row for row in connection.execute(people_of_batch, {"batch": value}).all()}
        languages, interests, children, consents = (
            _by_person(connection, statement, value) for statement in related
        )
        yield [
            export_row(
                _Exported(
                    people[person_id],
                    municipalities,
                    languages.get(person_id, ()),
                    interests.get(person_id, ()),
                    children.get(person_id, ()),
                    consents.get(person_id, ()),
                )
            )
            for person_id in batch
            if person_id in people
        ]
