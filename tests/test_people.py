import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.people.models import Person, Refugee, Volunteer
from app.people.names import name_key, normalise_name
from app.people.queries import find_duplicates

NAMES_IN_FOUR_SCRIPTS = ["محمد الحسن", "ሰላም ተስፋይ", "Søren Ærø-Østergård", "Олена Коваленко"]


def form_data(**overrides):
    data = {
        "full_name": "Amal Haddad",
        "phone": "22 33 44 55",
        "message_locale": "ar",
        "gender": "",
        "wants_gender": "",
        "postcode": "8000",
        "municipality_code": "0",
        "languages-0-code": "ar",
        "languages-0-level": "5",
        "languages-1-code": "da",
        "languages-1-level": "2",
        "interests": ["football", "cooking"],
        "other_interests": "fodbold, strikning, quantum chromodynamics",
        "available_weekend": "y",
        "arrived_on": (date.today() - timedelta(days=40)).isoformat(),
        "household_adults": "2",
        "children_birth_years": f"{date.today().year - 8}, {date.today().year - 3}",
        "consent_matching": "y",
        "consent_method": "oral_interpreter",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only(model=Person):
    return db.session.scalars(sa.select(model)).one()


def test_manager_registers_a_refugee(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = client.post("/people/refugees/new", data=form_data(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The person is saved." in page
    assert "quantum chromodynamics" in page  # told which interest matched nothing
    refugee = only(Refugee)
    assert refugee.municipality.name == "Aarhus"  # suggested from postcode 8000
    assert refugee.phone == "+4522334455"
    assert {(l.code, l.level) for l in refugee.languages} == {("ar", 5), ("da", 2)}
    assert set(refugee.interest_keys) >= {"football", "cooking"}
    assert len(refugee.household_children) == 2
    assert refugee.status == "waiting"
    assert refugee.has_consent("matching") and not refugee.has_consent("statistics")
    assert refugee.current_consent("matching").method == "oral_interpreter"
    assert [c.status for c in refugee.status_changes] == ["waiting"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"full_name": ""}, "This field is required."),
        ({"phone": "", "email": ""}, "Give a phone number or an e-mail address"),
        ({"phone": "12"}, "Enter a phone number"),
        ({"email": "no-at-sign"}, "Enter a valid e-mail address"),
        ({"postcode": "0999"}, "This is not a Danish postcode we know."),
        ({"postcode": "", "municipality_code": "0"}, "Choose a municipality or enter a postcode."),
        ({"postcode": "1050"}, "You do not manage people in this municipality."),
        ({"birth_year": "1850"}, "Enter a year between 1900 and"),
        ({"arrived_on": (date.today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"children_birth_years": "1990"}, "birth years of children under 18"),
        # A digit to str.isdigit, not to int(): found by the property tests.
        ({"children_birth_years": "²"}, "birth years of children under 18"),
        ({"age_min": "40", "age_max": "30"}, "upper age must not be below"),
        ({"languages-1-code": "ar"}, "Each language only once"),
    ],
)
def test_invalid_refugee_is_not_saved_and_input_is_kept(client, login_as, overrides, message):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.post("/people/refugees/new", data=form_data(**overrides)).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    assert "fodbold, strikning" in page  # what was typed is still there
    assert re.search(r'<input checked[^>]*value="football"', page)


@pytest.mark.parametrize("name", NAMES_IN_FOUR_SCRIPTS)
def test_names_in_any_script_round_trip(client, login_as, name):
    login_as(Role.MANAGER, ["Aarhus"])
    client.post("/people/refugees/new", data=form_data(full_name=name), follow_redirects=True)
    refugee = only(Refugee)
    assert refugee.full_name == name
    assert name in client.get(f"/people/{refugee.id}").get_data(as_text=True)
    assert name in client.get("/people/refugees").get_data(as_text=True)


def test_manager_registers_a_volunteer_with_family_and_training(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    data = form_data(
        full_name="Lars Jensen",
        capacity="2",
        max_distance_km="10",
        child_certificate_on=(date.today() - timedelta(days=100)).isoformat(),
        child_certificate_clean="y",
        **{
            "family_members-0-name": "Mette Jensen",
            "family_members-0-birth_year": "1985",
            "trainings-0-course": "Introduktion til frivillige venner",
            "trainings-0-completed_on": "2026-03-01",
            "arrived_on": None,
            "household_adults": None,
            "children_birth_years": None,
        },
    )
    client.post("/people/volunteers/new", data=data, follow_redirects=True)
    volunteer = only(Volunteer)
    assert volunteer.capacity == 2 and volunteer.max_distance_km == 10
    assert volunteer.status == "available"
    assert [(m.name, m.birth_year) for m in volunteer.family_members] == [("Mette Jensen", 1985)]
    assert volunteer.trainings[0].completed_on == date(2026, 3, 1)
    assert volunteer.has_valid_child_certificate(date.today())
    assert not volunteer.has_valid_child_certificate(date.today() + timedelta(days=800))


def test_edit_keeps_related_rows_and_changes_fields(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"])
    refugee = make_person("refugee", full_name="Old Name", children_birth_years=[2018])
    form = client.get(f"/people/{refugee.id}/edit").get_data(as_text=True)
    assert 'value="Old Name"' in form and "2018" in form
    client.post(
        f"/people/{refugee.id}/edit",
        data=form_data(full_name="New Name", children_birth_years="2018, 2020",
                       consent_matching=None, consent_method=None),
    )
    db.session.expire_all()
    refugee = db.session.get(Person, refugee.id)
    assert refugee.full_name == "New Name"
    assert sorted(c.birth_year for c in refugee.household_children) == [2018, 2020]
    assert refugee.has_consent("matching")  # editing does not touch consent


def test_status_change_is_kept_in_history(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee")
    client.post(f"/people/{refugee.id}/status", data={"status": "paused", "note": "Travelling"})
    db.session.expire_all()
    refugee = db.session.get(Person, refugee.id)
    assert refugee.status == "paused"
    assert [c.status for c in refugee.status_changes] == ["paused", "waiting"]
    page = client.get(f"/people/{refugee.id}").get_data(as_text=True)
    assert "Travelling" in page


def test_consent_withdrawn_removes_from_waiting_list(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Consenting Person")
    assert "Consenting Person" in client.get("/people/waiting").get_data(as_text=True)
    client.post(f"/people/{refugee.id}/consent", data={"purpose": "matching", "given": "no", "method": "oral"})
    assert "Consenting Person" not in client.get("/people/waiting").get_data(as_text=True)


def test_waiting_list_longest_first_with_counts(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus", "Odense"], locale="en")
    today = date.today()
    make_person("refugee", full_name="Recent Arrival", arrived_on=today - timedelta(days=5))
    make_person("refugee", full_name="Long Wait", arrived_on=today - timedelta(days=200))
    make_person("refugee", full_name="Odense Person", municipality_code=461, arrived_on=today - timedelta(days=50))
    make_person("refugee", full_name="No Consent", consents={"matching": False})
    make_person("refugee", full_name="Has Friend", status="matched")
    page = client.get("/people/waiting").get_data(as_text=True)
    assert page.index("Long Wait") < page.index("Odense Person") < page.index("Recent Arrival")
    assert "No Consent" not in page and "Has Friend" not in page
    assert re.search(r"Aarhus</a> <span[^>]*>2<", page)
    assert re.search(r"Odense</a> <span[^>]*>1<", page)


def test_a_wait_is_counted_from_arrival_only_and_an_unknown_arrival_sorts_by_registration(
    client, login_as, make_person
):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    today = date.today()
    make_person("refugee", full_name="Long Wait", arrived_on=today - timedelta(days=200))
    make_person("refugee", full_name="Recent Arrival", arrived_on=today - timedelta(days=50))
    unknown = make_person("refugee", full_name="Arrival Unknown", arrived_on=None)
    unknown.created_at -= timedelta(days=100)  # registered 100 days ago: waiting at least that long
    db.session.commit()

    def days_cells(url):
        page = client.get(url).get_data(as_text=True)
        rows = re.findall(r'<tr>\s*<td>.*?dir="auto">([^<]+)</a>.*?data-label="Days waiting">([^<]*)</td>', page, re.S)
        return [(name, days.strip()) for name, days in rows]

    expected = [("Long Wait", "200"), ("Arrival Unknown", "–"), ("Recent Arrival", "50")]
    assert days_cells("/people/waiting") == expected
    assert days_cells("/people/refugees?sort=waiting") == expected
    home = client.get("/").get_data(as_text=True)
    assert "Arrival Unknown" in home and "100 days" not in home
    assert "200 days" in home and "50 days" in home
    assert "days waiting" not in client.get(f"/people/{unknown.id}").get_data(as_text=True)


def test_archive_asks_first_then_hides_and_restores(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Archived Person")
    assert "Archive Archived Person?" in client.get(f"/people/{refugee.id}/archive").get_data(as_text=True)
    client.post(f"/people/{refugee.id}/archive", follow_redirects=True)
    assert "Archived Person" not in client.get("/people/refugees").get_data(as_text=True)
    assert "Archived Person" in client.get("/people/refugees?archived=y").get_data(as_text=True)
    assert "Archived Person" not in client.get("/people/waiting").get_data(as_text=True)
    client.post(f"/people/{refugee.id}/archive", follow_redirects=True)
    assert "Archived Person" in client.get("/people/refugees").get_data(as_text=True)


def test_list_filters_and_spelling_variant_search(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    make_person("refugee", full_name="Muhammad Al-Hassan", languages={"ar": 5})
    make_person("refugee", full_name="Selam Tesfay", languages={"ti": 5}, interests=["cooking"])
    make_person("refugee", full_name="Olena Kovalenko", languages={"uk": 5}, status="paused")

    def names(query):
        page = client.get(f"/people/refugees?{query}").get_data(as_text=True)
        return {n for n in ("Muhammad Al-Hassan", "Selam Tesfay", "Olena Kovalenko") if n in page}

    assert names("q=Mohammed+Hasan") == {"Muhammad Al-Hassan"}
    assert names("q=el-hassan") == {"Muhammad Al-Hassan"}
    assert names("language=ti") == {"Selam Tesfay"}
    assert names("interest=cooking") == {"Selam Tesfay"}
    assert names("status=paused") == {"Olena Kovalenko"}
    assert names("q=22334455") == {"Muhammad Al-Hassan", "Selam Tesfay", "Olena Kovalenko"}
    assert names("status=nonsense") == {"Muhammad Al-Hassan", "Selam Tesfay", "Olena Kovalenko"}


def listed(page):
    """Names in a list page's rows, in order, and the href of its Next and Previous links (or None)."""
    names = re.findall(r'dir="auto">(Person \d+)</a>', page)
    links = {label: href.replace("&amp;", "&") for href, label in re.findall(
        r'<a class="page-link" href="([^"#]+)"[^>]*>(Next|Previous)</a>', page)}
    return names, links.get("Next"), links.get("Previous")


@pytest.mark.parametrize(("kind", "url"), [
    ("volunteer", "/people/volunteers?sort=name"), ("volunteer", "/people/volunteers?sort=newest"),
    ("volunteer", "/people/volunteers?sort=status"), ("refugee", "/people/waiting"),
])
def test_every_person_is_listed_once_across_pages_while_people_are_added(client, login_as, make_person, kind, url):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")

    def add(n):  # arrival and name put newcomers anywhere in the order
        make_person(kind, full_name=f"Person {n:02d}", arrived_on=date(2025, 1, 1) + timedelta(days=(n * 7) % 30))

    for n in range(0, 60, 2):
        add(n)
    seen, added, by_name = [], 1, "sort=name" in url
    while url:
        names, url, _ = listed(client.get(url).get_data(as_text=True))
        seen += names
        add(added)
        added += 2
    assert len(seen) == len(set(seen)) and {f"Person {n:02d}" for n in range(0, 60, 2)} <= set(seen)
    assert seen == sorted(seen) or not by_name


def test_previous_pages_go_back_by_keyset(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    for n in range(60):
        make_person("volunteer", full_name=f"Person {n:02d}")
    first, second_url, no_previous = listed(client.get("/people/volunteers").get_data(as_text=True))
    assert first[0] == "Person 00" and len(first) == 25 and no_previous is None
    second, third_url, back_url = listed(client.get(second_url).get_data(as_text=True))
    assert second[0] == "Person 25" and "after=" in second_url
    third, no_next, _ = listed(client.get(third_url).get_data(as_text=True))
    assert third == [f"Person {n}" for n in range(50, 60)] and no_next is None
    assert listed(client.get(back_url).get_data(as_text=True))[0] == first


def test_managers_only_see_their_municipalities(client, login_as, make_person):
    copenhagener = make_person("refugee", full_name="Copenhagen Person", municipality_code=101)
    login_as(Role.MANAGER, ["Aarhus"])
    assert "Copenhagen Person" not in client.get("/people/refugees").get_data(as_text=True)
    assert "Copenhagen Person" not in client.get("/people/waiting").get_data(as_text=True)
    assert client.get(f"/people/{copenhagener.id}").status_code == 403
    assert client.get(f"/people/{copenhagener.id}/edit").status_code == 403
    assert client.post(f"/people/{copenhagener.id}/status", data={"status": "paused"}).status_code == 403
    assert client.post(f"/people/{copenhagener.id}/archive").status_code == 403


def test_head_office_sees_no_personal_data(client, login_as, make_person):
    person = make_person("refugee")
    login_as(Role.HEAD_OFFICE)
    for path in ("/people/refugees", "/people/volunteers", "/people/waiting", f"/people/{person.id}"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    "a, b",
    [
        ("Mohammed Al-Hassan", "Muhammad el Hassan"),
        ("Mohamad Hasan", "Mohammed Hassan"),
        ("Yousef Ahmad", "Yusuf Ahmed"),
        ("محمد الحسن", "مُحَمَّد حسن"),
        ("Søren Østergård", "Soeren Oestergaard"),
    ],
)
def test_spelling_variants_share_a_name_key(a, b):
    assert name_key(a) == name_key(b)


def test_normalised_names_drop_case_diacritics_and_prefixes():
    assert normalise_name("  El-HASSAN  José ") == "hassan jose"


def test_duplicates_found_by_transliteration_and_birth_year(make_person):
    existing = make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, phone=None, email="a@example.org")
    found = find_duplicates("refugee", 751, "Muhammad el Hasan", birth_year=1990)
    assert [d.person.id for d in found] == [existing.id]
    assert find_duplicates("refugee", 751, "Muhammad el Hasan", birth_year=1991) == []
    assert find_duplicates("refugee", 101, "Muhammad el Hasan", birth_year=1990) == []


def test_same_common_first_name_is_not_a_duplicate(make_person):
    make_person("refugee", full_name="Mohammed Ali", birth_year=1990, phone=None, email="a@example.org")
    assert find_duplicates("refugee", 751, "Mohammed Hassan", birth_year=1990) == []


def test_same_phone_is_a_duplicate(make_person):
    existing = make_person("volunteer", full_name="Anne Hansen", phone="+4511223344")
    found = find_duplicates("volunteer", 751, "Someone Else", phone="+4511223344")
    assert [d.person.id for d in found] == [existing.id]


def test_duplicate_warning_before_saving_and_save_anyway(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    make_person("refugee", full_name="Amal Haddad", phone="+4522334455")
    page = client.post("/people/refugees/new", data=form_data()).get_data(as_text=True)
    assert "This person may already be registered" in page
    assert "same phone number" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
    client.post("/people/refugees/new", data=form_data(save_anyway="1"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2


def test_manager_home_shows_what_needs_attention(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    today = date.today()
    make_person("volunteer", full_name="New Applicant", status="applicant")
    make_person("refugee", full_name="Waiting Long", arrived_on=today - timedelta(days=120))
    make_person("volunteer", full_name="Expiring Cert", child_certificate_clean=True,
                child_certificate_on=today - timedelta(days=700))
    make_person("volunteer", full_name="Fresh Cert", child_certificate_clean=True,
                child_certificate_on=today - timedelta(days=10))
    make_person("refugee", full_name="Elsewhere", municipality_code=101)
    page = client.get("/").get_data(as_text=True)
    assert "New volunteer applicants" in page
    assert "Waiting Long" in page and "120 days" in page
    assert "Expiring Cert" in page and "Fresh Cert" not in page
    assert "Elsewhere" not in page
    expiring = client.get("/people/volunteers?certificate_expiring=y").get_data(as_text=True)
    assert "Expiring Cert" in expiring and "Fresh Cert" not in expiring
    applicants = client.get("/people/volunteers?status=applicant").get_data(as_text=True)
    assert "New Applicant" in applicants and "Fresh Cert" not in applicants


def test_merge_two_records_keeps_both_histories(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    keep = make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, phone="+4522334455",
                       email=None, languages={"ar": 5}, interests=["football"], notes="Met at the library.")
    other = make_person("refugee", full_name="Muhammad el Hasan", birth_year=1990, phone=None,
                        email="m@example.org", languages={"ar": 4, "da": 2}, interests=["cooking"],
                        notes="Prefers mornings.", children_birth_years=[2019], status="paused")
    page = client.get(f"/people/{keep.id}/merge").get_data(as_text=True)
    assert "Muhammad el Hasan" in page  # offered as a likely duplicate
    assert "Merge these two records?" in client.get(f"/people/{keep.id}/merge/{other.id}").get_data(as_text=True)
    keep_id, other_id = keep.id, other.id
    client.post(f"/people/{keep_id}/merge/{other_id}")
    db.session.expire_all()
    assert db.session.get(Person, other_id) is None
    kept = db.session.get(Person, keep_id)
    assert kept.email == "m@example.org" and kept.phone == "+4522334455"
    assert {(l.code, l.level) for l in kept.languages} == {("ar", 5), ("da", 2)}
    assert set(kept.interest_keys) == {"football", "cooking"}
    assert [c.birth_year for c in kept.household_children] == [2019]
    assert "Met at the library." in kept.notes and "Prefers mornings." in kept.notes
    assert {c.status for c in kept.status_changes} >= {"waiting", "paused"}
    assert "Merged with Muhammad el Hasan" in [c.note for c in kept.status_changes]
    assert len(kept.consents) == 6


def test_merge_is_scoped_and_same_kind_only(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"])
    mine = make_person("refugee")
    volunteer = make_person("volunteer")
    elsewhere = make_person("refugee", municipality_code=101)
    assert client.post(f"/people/{mine.id}/merge/{volunteer.id}").status_code == 404
    assert client.post(f"/people/{mine.id}/merge/{elsewhere.id}").status_code == 403
    assert db.session.get(Person, elsewhere.id) is not None
