"""Importing people from CSV and XLSX: read, check every row, then write all or none.

A manager first sees a dry run: each row's errors (line, column, reason)
and likely duplicates. Nothing is written until they confirm; then every
row is written in one transaction, or, if anything is wrong, none.
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from rapidfuzz import fuzz, process

from app.audit.models import AuditAction
from app.audit.services import record_many
from app.extensions import db
from app.municipalities.models import Municipality, PostcodeArea
from app.people.columns import CellError, columns_for
from app.people.models import Person
from app.people.names import SIMILAR_NAME_SCORE, name_keys
from app.people.services import build_person

MAX_ROWS = 20_000
#: An XLSX sheet is streamed and read only this far, whatever its declared dimensions say: a
#: 1.5 KB file declaring A1:XFD20000 would otherwise become 300 million cells.
MAX_COLUMNS = 100
MAX_SHEET_ROWS = 5 * MAX_ROWS
CSV_DELIMITERS = (";", ",", "\t")


class ImportFileError(Exception):
    """The file as a whole cannot be read; `message` tells the manager why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def read_table(filename, content):
    """Return the rows of a CSV or XLSX file as lists of cells, header first."""
    name = (filename or "").lower()
    if not content or not content.strip():
        raise ImportFileError(_l("The file is empty."))
    if name.endswith(".xlsx"):
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise ImportFileError(_l("Upload a CSV or XLSX file (.csv or .xlsx)."))
    if not rows:
        raise ImportFileError(_l("The file is empty."))
    return rows


def _filled_rows(rows):
    """Return the rows that are not blank, refusing a file with too many rows before reading them all."""
    kept = []
    for count, row in enumerate(rows, start=1):
        if count > MAX_SHEET_ROWS:
            raise ImportFileError(_l("The file has more than %(num)d rows; split it up.", num=MAX_ROWS))
        if any(str(cell).strip() for cell in row if cell is not None):
            kept.append(row)
            if len(kept) > MAX_ROWS + 1:
                raise ImportFileError(_l("The file has more than %(num)d rows; split it up.", num=MAX_ROWS))
    return kept


def _read_xlsx(content):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise ImportFileError(_l("This is not a readable XLSX file.")) from None
    try:
        rows = workbook.worksheets[0].iter_rows(max_row=MAX_SHEET_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        return [list(row) for row in _filled_rows(rows)]
    finally:
        workbook.close()


def _decode(content):
    """UTF-8 (with or without BOM), else Windows-1252 as Danish Excel saves it."""
    if b"\x00" in content:
        raise ImportFileError(_l("This does not look like a CSV file. Save it as CSV or XLSX."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _read_csv(content):
    text = _decode(content)
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = max(CSV_DELIMITERS, key=header.count)
    try:
        return _filled_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError(_l("This does not look like a CSV file. Save it as CSV or XLSX.")) from None


@dataclass
class ImportRow:
    line: int
    name: str
    data: dict
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


@dataclass
class ImportPreview:
    kind: str
    rows: list
    missing_columns: list
    ignored_columns: list

    @property
    def error_count(self):
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self):
        return bool(self.rows) and not self.missing_columns and self.error_count == 0


def preview_import(kind, filename, content, allowed_municipalities):
    """Read and check a file of `kind` people without writing anything.

    `allowed_municipalities` are the Municipality rows the importing user
    manages; rows elsewhere are errors.
    """
    table = read_table(filename, content)
    columns = columns_for(kind)
    by_header = {}
    for c in columns:
        by_header[c.da.lower()] = c
        by_header[c.en.lower()] = c
    headers = [str(cell or "").strip().lower() for cell in table[0]]
    mapped = {i: by_header[h] for i, h in enumerate(headers) if h in by_header}
    present = {c.key for c in mapped.values()}
    missing = [c.da for c in columns if c.required and c.key not in present]
    ignored = [table[0][i] for i, h in enumerate(headers) if h and i not in mapped]
    if missing:
        return ImportPreview(kind, [], missing, ignored)
    places = _Places(allowed_municipalities)
    rows = [
        _check_row(line, cells, mapped, places, len(headers))
        for line, cells in enumerate(table[1:], start=2)
        if any(str(c).strip() for c in cells if c is not None)
    ]
    _warn_duplicates(kind, rows, allowed_municipalities)
    return ImportPreview(kind, rows, [], ignored)


class _Places:
    """Postcode and municipality look-ups, loaded once per import."""

    def __init__(self, allowed):
        self.allowed = {m.code: m for m in allowed}
        municipalities = db.session.scalars(sa.select(Municipality)).all()
        self.by_name = {m.name.lower(): m for m in municipalities}
        self.by_code = {str(m.code): m for m in municipalities}
        areas = db.session.scalars(sa.select(PostcodeArea)).all()
        self.single = {a.first: a for a in areas if a.first == a.last}
        #: The three central Copenhagen ranges such as 1000-1499.
        self.ranges = [a for a in areas if a.first != a.last]

    def area(self, postcode):
        if not (len(postcode) == 4 and postcode.isdecimal()):
            return None
        number = int(postcode)
        return self.single.get(number) or next(
            (a for a in self.ranges if a.first <= number <= a.last), None
        )

    def municipality(self, text):
        text = (text or "").strip().lower()
        return self.by_name.get(text) or self.by_code.get(text.lstrip("0") or text)


def _check_row(line, cells, mapped, places, width):
    data = {"consents": {}, "consent_method": "paper", "message_locale": "da"}
    row = ImportRow(line=line, name="", data=data)
    if any(str(cell).strip() for cell in cells[width:] if cell is not None):
        # A cell holding the file's column separator pushed the cells after it
        # into the wrong columns; reading them would only give misleading errors.
        row.name = str(cells[0] or "").strip()
        row.errors.append(("", _(
            "This row has %(cells)d cells but the header has %(columns)d: a cell contains the column "
            "separator. Inside a cell, separate with commas (ar:5, da:2), or put the cell in quotes.",
            cells=len(cells), columns=width)))
        return row
    for index, column in mapped.items():
        value = cells[index] if index < len(cells) else None
        try:
            data[column.key] = column.read(value)
        except CellError as error:
            row.errors.append((column.da, str(error.args[0])))
    row.name = data.get("full_name") or ""
    if not row.name:
        row.errors.append(("navn", _("a name is required")))
    if not (data.get("phone") or data.get("email")):
        row.errors.append(("telefon", _("give a phone number or an e-mail address")))
    _place(row, data, places)
    for slot in data.pop("availability", None) or ():
        data[f"available_{slot}"] = True
    for purpose in ("matching", "contact", "statistics"):
        data["consents"][purpose] = bool(data.pop(f"consent_{purpose}", False))
    data["consent_method"] = data.get("consent_method") or "paper"
    data["message_locale"] = data.get("message_locale") or "da"
    if data.get("interests") is None:
        data["interests"] = []
    if data.get("languages") is None:
        data["languages"] = {}
    return row


def _place(row, data, places):
    """Set the municipality from its cell or the postcode, and check both."""
    postcode = data.get("postcode")
    area = None
    if postcode:
        area = places.area(postcode)
        if area is None:
            row.errors.append(("postnummer", _("%(postcode)s is not a Danish postcode we know", postcode=postcode)))
    named = data.pop("municipality", None)
    municipality = places.municipality(named) if named else (area.municipality if area else None)
    if named and municipality is None:
        row.errors.append(("kommune", _("%(name)s is not a Danish municipality", name=named)))
    elif municipality is None and area is None and not postcode:
        row.errors.append(("kommune", _("give a municipality or a postcode")))
    elif municipality is not None and municipality.code not in places.allowed:
        row.errors.append(("kommune", _("you do not manage people in %(name)s", name=municipality.name)))
    if municipality is not None:
        data["municipality_code"] = municipality.code


class _Registry:
    """People already known (in the database or earlier in the file), for duplicate checks.

    Phones and e-mails are looked up exactly; names are compared with
    rapidfuzz only among people of the same municipality and birth year,
    which keeps a 10,000-row import fast.
    """

    def __init__(self):
        self.contacts = {}
        self.names = {}

    def add(self, municipality, keys, phone, email, birth_year, label):
        for contact in (phone, email):
            if contact:
                self.contacts.setdefault((municipality, contact), label)
        if birth_year:
            same_year = self.names.setdefault((municipality, birth_year), {})
            for key in keys:
                same_year.setdefault(key, label)

    def find(self, municipality, keys, phone, email, birth_year):
        for contact in (phone, email):
            if contact and (municipality, contact) in self.contacts:
                return self.contacts[(municipality, contact)]
        same_year = self.names.get((municipality, birth_year)) if birth_year else None
        for key in keys if same_year else ():
            match = process.extractOne(
                key, list(same_year), scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_NAME_SCORE
            )
            if match:
                return same_year[match[0]]
        return None


def _warn_duplicates(kind, rows, allowed):
    """Warn of rows that repeat each other or people already registered."""
    registry = _Registry()
    existing = db.session.execute(
        sa.select(Person.full_name, Person.latin_name, Person.phone, Person.email, Person.birth_year,
                  Person.municipality_code)
        .where(Person.kind == kind, Person.archived_at.is_(None),
               Person.municipality_code.in_([m.code for m in allowed]))
    ).all()
    for p in existing:
        registry.add(p.municipality_code, name_keys(p.full_name, p.latin_name), p.phone, p.email, p.birth_year,
                     _("already registered as %(name)s", name=p.full_name))
    for row in rows:
        data = row.data
        fields = (data.get("municipality_code"), name_keys(row.name, data.get("latin_name")),
                  data.get("phone"), data.get("email"), data.get("birth_year"))
        found = registry.find(*fields)
        if found:
            row.warnings.append(found)
        registry.add(*fields, _("same person as line %(line)d?", line=row.line))


def commit_import(preview, user):
    """Write every row of a checked preview; the caller commits once, so it is all or nothing."""
    if not preview.ok:
        raise ValueError("only an import without errors can be written")
    people = [build_person(preview.kind, row.data, user)[0] for row in preview.rows]
    db.session.flush()
    record_many(user, AuditAction.CREATED, [person.id for person in people])
    return len(people)
