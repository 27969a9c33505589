"""Exporting the people a manager may see, as CSV or XLSX, and recording it."""
import csv
import io

from openpyxl import Workbook

from app.extensions import db
from app.people.columns import export_row, headers_for
from app.people.models import ExportRecord

#: Danish Excel opens semicolon-separated UTF-8 with a BOM correctly.
CSV_DELIMITER = ";"


def export_people(people, kind, file_format, user, locale):
    """Return the file's bytes and record who exported how many rows."""
    rows = [export_row(person) for person in people]
    headers = headers_for(kind, locale)
    content = _xlsx(headers, rows) if file_format == "xlsx" else _csv(headers, rows)
    db.session.add(
        ExportRecord(user_id=user.id, kind=kind, file_format=file_format, row_count=len(rows))
    )
    db.session.flush()
    return content


def template(kind, file_format, locale):
    """An empty import file with the right headers."""
    headers = headers_for(kind, locale)
    return _xlsx(headers, []) if file_format == "xlsx" else _csv(headers, [])


def _csv(headers, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(headers, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
