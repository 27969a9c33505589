import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.auth.models import Role, User
from app.extensions import db
from app.people.models import ExportRecord, Person, Refugee, Volunteer

#: Every export asks why; any reason will do here.
EXPORT_REASON = {"reason": "Monthly report to the municipality"}

HEADER_DA = "navn;telefon;e-mail;fødselsår;postnummer;sprog;interesser;tid;ankomstdato;samtykke_matchning;samtykke_måde"
HEADER_EN = "name,phone,email,birth_year,postcode,languages,interests,availability,arrived_on,consent_matching,consent_method"
NAMES = ["محمد الحسن", "ሰላም ተስፋይ", "Søren Ærø", "Олена Коваленко"]


def count(model=Person):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def upload(client, plural, filename, content):
    return client.post(
        f"/people/{plural}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm_token(page):
    import re

    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def good_csv(encoding="utf-8", bom=False):
    lines = [
        HEADER_DA,
        "Amal Haddad;22 33 44 55;;1990;8000;ar:5, da:2;fodbold, madlavning;weekend;2026-01-05;ja;papir",
        "Selam Tesfay;;selam@example.org;1995;8200;ti:5;;hverdag aften;05-02-2026;nej;mundtligt med tolk",
    ]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_dry_run_writes_nothing_then_confirm_writes_all(client, login_as, encoding, bom):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = upload(client, "refugees", "people.csv", good_csv(encoding, bom)).get_data(as_text=True)
    assert "2 people are ready to import." in page
    assert count() == 0
    response = client.post(
        "/people/refugees/import/confirm", data={"token": confirm_token(page)}, follow_redirects=True
    )
    assert "2 people are imported." in response.get_data(as_text=True)
    amal = db.session.scalars(sa.select(Refugee).where(Refugee.full_name == "Amal Haddad")).one()
    assert amal.phone == "+4522334455" and amal.municipality.name == "Aarhus"
    assert {l.code: l.level for l in amal.languages} == {"ar": 5, "da": 2}
    assert set(amal.interest_keys) == {"football", "cooking"}
    assert amal.available_weekend and amal.has_consent("matching")
    selam = db.session.scalars(sa.select(Refugee).where(Refugee.full_name == "Selam Tesfay")).one()
    assert not selam.has_consent("matching")
    assert selam.current_consent("matching").method == "oral_interpreter"
    assert str(selam.arrived_on) == "2026-02-05"


def test_english_headers_and_commas_are_accepted(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    content = (HEADER_EN + '\nJohn Smith,+4511223344,,1980,8000,"en:5;da:3",football,weekend,,yes,paper\n').encode()
    page = upload(client, "refugees", "people.csv", content).get_data(as_text=True)
    assert "1 person is ready to import." in page


def test_row_errors_name_line_column_and_reason_and_block_the_import(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    content = "\n".join([
        HEADER_DA,
        "Amal Haddad;22 33 44 55;;1990;8000;ar:5;;;;ja;papir",
        ";22 33 44 56;;1990;8000;ar:5;;;;ja;papir",
        "Bad Phone;12;;abc;0999;xx:9;skydiving on mars;;31-31-2026;måske;papir",
        "Copenhagener;22 33 44 57;;1990;1050;ar:5;;;;ja;papir",
    ]).encode()
    page = upload(client, "refugees", "people.csv", content).get_data(as_text=True)
    assert "3 rows have errors." in page
    for expected in ("a name is required", "not a phone number", "not a whole number",
                     "0999 is not a Danish postcode", "write languages as code:level",
                     "unknown interests: skydiving on mars", "not a date", "write ja or nej",
                     "you do not manage people in København"):
        assert expected in page, expected
    assert ">4<" in page and "<code>telefon</code>" in page
    assert 'name="token"' not in page  # no way to confirm
    assert count() == 0


def test_a_language_level_written_as_a_superscript_is_a_row_error(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    content = "\n".join([HEADER_DA, "Amal Haddad;22 33 44 55;;1990;8000;ar:²;;;;ja;papir"]).encode()
    response = upload(client, "refugees", "people.csv", content)
    assert response.status_code == 200 and "write languages as code:level" in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize(
    "filename, content, message",
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\r\n\r\n", "The file is empty."),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "Upload a CSV or XLSX file"),
        ("fake.xlsx", b"this is not a spreadsheet", "This is not a readable XLSX file."),
        ("binary.csv", b"\x00\x01\x02\x03garbage\x00", "This does not look like a CSV file."),
    ],
)
def test_bad_files_get_a_clear_message(client, login_as, filename, content, message):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = upload(client, "refugees", filename, content)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count() == 0


def test_missing_required_column_is_reported(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = upload(client, "refugees", "x.csv", b"telefon;postnummer\n22334455;8000\n").get_data(as_text=True)
    assert "lacks required columns: navn" in page
    assert count() == 0


def test_header_only_file_has_no_people(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = upload(client, "refugees", "x.csv", (HEADER_DA + "\n").encode()).get_data(as_text=True)
    assert "no people" in page


def test_duplicates_are_warned_in_the_dry_run(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, phone="+4599887766")
    content = "\n".join([
        HEADER_DA,
        "Muhammad el Hasan;;m@example.org;1990;8000;ar:5;;;;ja;papir",
        "Twin Row;22 33 44 55;;1991;8000;ar:5;;;;ja;papir",
        "Twin Again;22 33 44 55;;1992;8000;ar:5;;;;ja;papir",
    ]).encode()
    page = upload(client, "refugees", "x.csv", content).get_data(as_text=True)
    assert "already registered as Mohammed Al-Hassan" in page
    assert "same person as line 3?" in page
    assert "3 people are ready to import." in page  # warnings do not block


def test_xlsx_import_and_all_or_nothing(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["navn", "telefon", "postnummer", "sprog", "antal_venner", "samtykke_matchning"])
    sheet.append(["Lars Jensen", 22334455, 8000, "da:5; en:4", 2, "ja"])
    sheet.append(["Mette Holm", "+4511223344", "8200", "da:5", 1, "ja"])
    out = io.BytesIO()
    workbook.save(out)
    page = upload(client, "volunteers", "v.xlsx", out.getvalue()).get_data(as_text=True)
    assert "2 people are ready to import." in page
    client.post("/people/volunteers/import/confirm", data={"token": confirm_token(page)})
    assert count(Volunteer) == 2
    lars = db.session.scalars(sa.select(Volunteer).where(Volunteer.full_name == "Lars Jensen")).one()
    assert lars.phone == "+4522334455" and lars.capacity == 2


def test_confirm_rechecks_and_a_token_is_personal(client, login_as, make_user):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = upload(client, "refugees", "people.csv", good_csv()).get_data(as_text=True)
    token = confirm_token(page)
    client.post("/auth/logout")
    other = make_user(Role.MANAGER, ["Aarhus"], locale="en")
    from tests.conftest import log_in

    log_in(client, other.email)
    response = client.post("/people/refugees/import/confirm", data={"token": token}, follow_redirects=True)
    assert "The checked file is gone" in response.get_data(as_text=True)
    assert count() == 0


def test_manager_cannot_import_into_another_municipality(client, login_as):
    login_as(Role.MANAGER, ["Odense"], locale="en")
    page = upload(client, "refugees", "people.csv", good_csv()).get_data(as_text=True)
    assert "you do not manage people in Aarhus" in page
    assert count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_round_trips_names_in_four_scripts_and_is_recorded(client, login_as, make_person, file_format):
    user = login_as(Role.MANAGER, ["Aarhus"], locale="da")
    for name in NAMES:
        make_person("refugee", full_name=name, interests=["football"], children_birth_years=[2019])
    make_person("refugee", full_name="Not Mine", municipality_code=101)
    response = client.post(f"/people/refugees/export.{file_format}", data=EXPORT_REASON)
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    else:
        rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert rows[0][0] == "navn"
    assert sorted(r[0] for r in rows[1:]) == sorted(NAMES)
    record = db.session.scalars(sa.select(ExportRecord)).one()
    assert (record.user_id, record.row_count, record.file_format) == (user.id, 4, file_format)

    # What was exported can be imported again (here: as a check, into an empty registry).
    db.session.execute(sa.delete(Person))
    db.session.commit()
    page = upload(client, "refugees", f"again.{file_format}", response.data).get_data(as_text=True)
    assert "4 personer" in page or "4 people" in page, page[:3000]


def test_export_follows_the_filters(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"])
    make_person("refugee", full_name="Waiting One")
    make_person("refugee", full_name="Paused One", status="paused")
    data = client.post("/people/refugees/export.csv?status=paused", data=EXPORT_REASON).data.decode("utf-8-sig")
    assert "Paused One" in data and "Waiting One" not in data


def test_head_office_cannot_export_or_import(client, login_as):
    login_as(Role.HEAD_OFFICE)
    assert client.post("/people/refugees/export.csv", data=EXPORT_REASON).status_code == 403
    assert client.get("/people/refugees/import").status_code == 403


def test_template_has_headers_in_the_users_language(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    data = client.get("/people/volunteers/import/template.csv").data.decode("utf-8-sig")
    assert data.startswith("name;")
    assert "capacity" in data and "arrived_on" not in data


def test_postcodes_in_the_copenhagen_ranges_are_found_on_import(client, login_as):
    login_as(Role.MANAGER, ["København"], locale="en")
    content = (HEADER_DA + "\nAmal Haddad;22 33 44 55;;1990;1620;ar:5;;;;ja;papir\n").encode()
    page = upload(client, "refugees", "x.csv", content).get_data(as_text=True)
    assert "1 person is ready to import." in page


# Streamed export: the same file as loading every person as an ORM object, in a bounded number of queries.

FULL_PROFILES = {
    "refugee": [
        {"full_name": "محمد الحسن; \"Abu\", Ali", "latin_name": "Mohammed Al-Hassan", "email": "m@example.org",
         "birth_year": 1988, "gender": "male", "postcode": "8000", "hopes": "Tale dansk; cykle, lave mad\nog mere",
         "arrived_on": date(2025, 3, 1), "household_adults": 2, "children_birth_years": [2012, 2019],
         "languages": {"ar": 5, "en": 3, "da": 1}, "interests": ["football", "cooking"],
         "available_weekday_evening": True, "notes": "Ringer efter kl. 16, ønsker «kvinde»",
         "consents": {"matching": True, "contact": False, "statistics": True}, "consent_method": "oral_interpreter"},
        {"full_name": "ሰላም ተስፋይ", "phone": None, "languages": {"ti": 5}, "interests": [],
         "available_weekend": False, "consents": {"matching": False}, "consent_method": "online"},
    ],
    "volunteer": [
        {"full_name": "Søren Ærø, \"Sørensen\"", "birth_year": 1960, "gender": "other", "postcode": "8200",
         "capacity": 3, "max_distance_km": 15, "child_certificate_on": date(2024, 5, 2),
         "child_certificate_clean": True, "recruited_by": "Facebook; Aarhus", "hopes": "Kaffe, gåture",
         "languages": {"da": 5, "uk": 4}, "interests": ["hiking", "chess", "knitting"],
         "available_weekday_day": True, "available_weekday_evening": True},
    ],
}


def orm_export(kind, locale, file_format):
    """Return the rows the export wrote before it was streamed: every person as an ORM object, then export_row."""
    from app.people.columns import export_row, headers_for
    from app.people.exporting import _csv
    from app.people.queries import PeopleFilter, people_query

    model = Refugee if kind == "refugee" else Volunteer
    manager = db.session.scalars(sa.select(User).where(User.role == Role.MANAGER)).one()
    people = db.session.scalars(people_query(model, manager, PeopleFilter())).all()
    rows = [headers_for(kind, locale)] + [export_row(person) for person in people]
    return _csv(rows[0], rows[1:]) if file_format == "csv" else rows


@pytest.mark.parametrize("kind", ["refugee", "volunteer"])
@pytest.mark.parametrize("locale", ["da", "en"])
def test_streamed_export_equals_the_orm_export(client, login_as, make_person, kind, locale):
    user = login_as(Role.MANAGER, ["Aarhus"], locale=locale)
    for profile in FULL_PROFILES[kind]:
        make_person(kind, **profile)
    make_person(kind, full_name="Plain Person")
    make_person(kind, full_name="Not Mine", municipality_code=101)
    plural = f"{kind}s"

    response = client.post(f"/people/{plural}/export.csv", data=EXPORT_REASON)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.data == orm_export(kind, locale, "csv")
    assert "Not Mine" not in response.data.decode("utf-8-sig")

    workbook = client.post(f"/people/{plural}/export.xlsx", data=EXPORT_REASON)
    assert workbook.status_code == 200
    cells = [list(r) for r in load_workbook(io.BytesIO(workbook.data)).active.iter_rows(values_only=True)]
    expected = [list(r) for r in load_workbook(io.BytesIO(_xlsx(orm_export(kind, locale, "xlsx")))).active.iter_rows(
        values_only=True)]
    assert cells == expected
    assert len(cells) == len(FULL_PROFILES[kind]) + 2

    records = db.session.scalars(sa.select(ExportRecord).order_by(ExportRecord.id)).all()
    assert [(r.user_id, r.kind, r.file_format, r.row_count) for r in records] == [
        (user.id, kind, "csv", len(FULL_PROFILES[kind]) + 1),
        (user.id, kind, "xlsx", len(FULL_PROFILES[kind]) + 1),
    ]


def _xlsx(rows):
    """Write ``rows`` as the export did before XlsxWriter: openpyxl's write-only workbook."""
    from app.spreadsheets import xlsx_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(xlsx_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_the_number_of_people(app, client, login_as, make_person, file_format):
    login_as(Role.MANAGER, ["Aarhus"])
    statements = []

    def counted(conn, cursor, statement, *args):
        statements.append(statement)

    def export_queries():
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", counted)
        try:
            response = client.post(f"/people/refugees/export.{file_format}", data=EXPORT_REASON)
            assert response.status_code == 200
            response.get_data()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counted)
        return len(statements)

    for i in range(10):
        make_person("refugee", full_name=f"Person {i}", children_birth_years=[2015])
    with_10 = export_queries()
    for i in range(10, 60):
        make_person("refugee", full_name=f"Person {i}", children_birth_years=[2015])
    with_60 = export_queries()
    assert with_10 == with_60 < 25
    assert db.session.scalar(sa.select(sa.func.max(ExportRecord.row_count))) == 60


@pytest.mark.parametrize("kind", ["refugee", "volunteer"])
@pytest.mark.parametrize("locale", ["da", "en", "ar", "fa", "ti"])
def test_export_headers_are_distinct_in_every_language(kind, locale):
    # The XLSX writer takes each row as header -> cell: a repeated header would lose a column.
    from app.people.columns import headers_for

    headers = headers_for(kind, locale)
    assert len(set(headers)) == len(headers)


def test_a_note_longer_than_a_spreadsheet_cell_is_cut_not_a_failed_export(client, login_as, make_person):
    from app.spreadsheets import XLSX_CELL_LENGTH

    login_as(Role.MANAGER, ["Aarhus"])
    make_person("refugee", full_name="Long Notes", notes="merged note. " * 4000)
    response = client.post("/people/refugees/export.xlsx", data=EXPORT_REASON)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, row = sheet.iter_rows(values_only=True)
    notes = row[list(header).index("noter")]
    assert row[0] == "Long Notes"
    assert len(notes) == XLSX_CELL_LENGTH and notes.startswith("merged note. merged note.")
