"""Issue #11, "a manager's real day": each test is a behaviour a manager, volunteer or refugee notices."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from app.auth.models import Role
from app.extensions import db
from app.matches import services
from app.matches.models import Match


@pytest.fixture
def pair(make_person):
    """A waiting refugee and the volunteer who suits them best, in Aarhus."""
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5, "da": 1},
                          interests=["football", "cooking"], arrived_on=date.today() - timedelta(days=30))
    best = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4, "da": 5},
                       interests=["football", "cooking"], capacity=1)
    second = make_person("volunteer", full_name="Second Friend", postcode="8200", languages={"ar": 3, "da": 5},
                         interests=["hiking"], capacity=1)
    return refugee, best, second


def ended_match(refugee, volunteer, user, reason):
    """A friendship between the two that became active and ended for `reason`."""
    match = services.propose(refugee.id, volunteer.id, user)
    services.accept(match, "refugee", user)
    services.accept(match, "volunteer", user)
    services.end(match, user, reason)
    db.session.commit()
    return match


def mail_to(outbox, address):
    return [message for message in outbox if message["To"] == address]


def suggested(page):
    """The part of the suggestions page with the ranked volunteers (not the manual proposal form)."""
    return page.split("<main")[1].split("<details")[0]


@pytest.mark.parametrize("reason", ["not_a_good_fit", "no_contact"])
def test_a_pair_that_failed_is_never_suggested_or_batch_proposed_again(client, login_as, make_user, pair, reason):
    refugee, best, second = pair
    ended_match(refugee, best, make_user(Role.MANAGER, ["Aarhus"]), reason)
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert "Best Friend</a>" not in suggested(page)
    assert "Second Friend</a>" in suggested(page)
    batch = client.get("/matches/batch?municipality=751").get_data(as_text=True)
    assert f'value="{refugee.id}-{best.id}"' not in batch
    assert f'value="{refugee.id}-{second.id}"' in batch


def test_a_pair_that_ended_naturally_may_come_back_marked_matched_before(client, login_as, make_user, pair):
    refugee, best, second = pair
    ended_match(refugee, best, make_user(Role.MANAGER, ["Aarhus"]), "moved")
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = suggested(client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True))
    assert page.index("Best Friend</a>") < page.index("Second Friend</a>")
    assert "ended: One of them moved" in page.split("Best Friend</a>")[1].split("Second Friend</a>")[0]
    assert "Matched before" not in page.split("Second Friend</a>")[1]
    assert "ended: One of them moved" in client.get("/matches/batch?municipality=751").get_data(as_text=True)
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": best.id})
    new = db.session.scalars(sa.select(Match).where(Match.status == "proposed")).one()
    detail = client.get(f"/matches/{new.id}").get_data(as_text=True)
    assert "Matched before:" in detail and "ended: One of them moved" in detail


def test_reasons_name_the_real_language_cause(client, login_as, make_person):
    refugee = make_person("refugee", full_name="Sorani Speaker", postcode="8000", languages={"ckb": 5, "da": 1})
    for n in range(2):
        make_person("volunteer", full_name=f"Danish Volunteer {n}", postcode="8000", languages={"da": 5})
    make_person("volunteer", full_name="German Volunteer", postcode="8000", languages={"de": 5})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert ("2 share only Danish with them, which they speak at a basic level; "
            "friends need a shared language at level 2 or more") in page
    assert "1 shares no language with them (they speak Central Kurdish)" in page
    assert "Central Kurdish and Danish" not in page
    batch = client.get("/matches/batch?municipality=751").get_data(as_text=True)
    assert "which they speak at a basic level" in batch


def test_both_sides_are_told_each_step_in_their_own_language(client, login_as, make_person, outbox):
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5},
                          email="amal@example.org", message_locale="ar")
    volunteer = make_person("volunteer", full_name="Birgitte Friend Holm", postcode="8000", languages={"ar": 4},
                            email="birgitte@example.org", message_locale="da")
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en", full_name="Mette Manager")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": volunteer.id})
    match = db.session.scalars(sa.select(Match)).one()
    to_refugee, to_volunteer = mail_to(outbox, "amal@example.org"), mail_to(outbox, "birgitte@example.org")
    assert len(to_refugee) == 1 and len(to_volunteer) == 1
    assert "Birgitte" in to_refugee[0].get_content() and "Holm" not in to_refugee[0].get_content()
    assert "Mette Manager" in to_refugee[0].get_content() and manager.email in to_volunteer[0].get_content()
    assert "Amal" in to_volunteer[0].get_content()
    assert to_refugee[0]["Subject"] != to_volunteer[0]["Subject"]  # Arabic and Danish
    for side in ("refugee", "volunteer"):
        client.post(f"/matches/{match.id}/answer", data={"side": side, "answer": "yes"})
    assert len(mail_to(outbox, "amal@example.org")) == 2 and len(mail_to(outbox, "birgitte@example.org")) == 2
    client.post(f"/matches/{match.id}/end", data={"reason": "moved"})
    assert len(mail_to(outbox, "amal@example.org")) == 3 and len(mail_to(outbox, "birgitte@example.org")) == 3


def test_a_withdrawn_proposal_is_not_called_an_ended_friendship(client, login_as, make_person, outbox):
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5},
                          email="amal@example.org", message_locale="en")
    volunteer = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": volunteer.id})
    match = db.session.scalars(sa.select(Match)).one()
    client.post(f"/matches/{match.id}/end", data={"reason": "withdrawn", "back_to_waiting": "y"})
    last = mail_to(outbox, "amal@example.org")[-1]
    assert last["Subject"] == "The proposed friendship will not go ahead"
    assert "The proposal that you and Best become friends has been withdrawn." in last.get_content()


def test_people_without_email_are_on_the_call_list(client, login_as, make_person):
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5}, email=None)
    volunteer = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4},
                            email="best@example.org")
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": volunteer.id})
    home = client.get("/").get_data(as_text=True).split("Matches: calls and answers")[1].split("</section>")[0]
    assert "Call" in home and "Amal Haddad" in home and "tell them about the proposed friend" in home
    assert "Best Friend</a>" not in home.split("the match")[0]


def test_unanswered_proposals_show_after_a_week_and_ask_for_withdrawal_after_two(client, login_as, make_person):
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5})
    volunteer = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/matches/propose/{refugee.id}", data={"volunteer_id": volunteer.id})
    match = db.session.scalars(sa.select(Match)).one()
    client.post(f"/matches/{match.id}/answer", data={"side": "volunteer", "answer": "yes"})

    def home():
        return client.get("/").get_data(as_text=True).split("Matches: calls and answers")[1].split("</section>")[0]

    assert "No answer" not in home()
    with freeze_time(match.proposed_at + timedelta(days=8)):
        page = home()
        assert "proposed 8 days ago" in page and "The refugee: no answer yet" in page
        assert "Withdraw the proposal" not in page
    with freeze_time(match.proposed_at + timedelta(days=15)):
        page = home()
        assert "Withdraw the proposal" in page
        end_page = client.get(f"/matches/{match.id}/end?reason=withdrawn").get_data(as_text=True)
        assert re.search(r'<option (?=[^>]*selected)(?=[^>]*value="withdrawn")', end_page)
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == "proposed"  # nothing expires by itself


def apply(client, **overrides):
    data = {
        "full_name": "Ida Nielsen", "email": "ida@example.org", "phone": "22 33 44 55", "message_locale": "da",
        "gender": "", "wants_gender": "", "postcode": "8000", "languages-0-code": "da", "languages-0-level": "5",
        "interests": ["cooking"], "available_weekend": "y", "capacity": "1", "consent_matching": "y",
        "consent_contact": "y", "website": "",
    }
    data.update(overrides)
    return client.post("/volunteer", data=data)


def test_a_repeated_application_is_flagged_for_the_manager_not_the_applicant(client, login_as):
    def without_tokens(response):
        # The language menu's CSRF token is signed with the time, so it may differ by a second.
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))

    first = without_tokens(apply(client))
    second = without_tokens(apply(client, email="IDA@example.org", full_name="Ida Nielsen"))
    assert first == second  # the same thank-you: nothing says who is registered
    from app.people.models import Volunteer
    older, newer = db.session.scalars(sa.select(Volunteer).order_by(Volunteer.id)).all()
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get(f"/people/{newer.id}").get_data(as_text=True)
    assert "Possible duplicate of" in page and f"/people/{older.id}" in page
    assert "same phone number" in page and "same e-mail" in page
    client.post(f"/people/{older.id}/merge/{newer.id}", follow_redirects=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer).where(
        Volunteer.archived_at.is_(None))) == 1


def test_a_manager_typing_a_name_is_warned_about_its_spelling_variants(client, login_as, make_person):
    known = make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, phone="+4511111111")
    make_person("refugee", full_name="Mohammed Jensen", birth_year=1990, phone="+4522222222")
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.post("/people/refugees/new", data={"full_name": "Mohamad Al-Hasan", "check_duplicates": "1"})
    text = page.get_data(as_text=True)
    assert "This person may already be registered" in text
    assert f"/people/{known.id}" in text and "similar name" in text
    assert "Mohammed Jensen" not in text
    assert "is-invalid" not in text  # only a check: no errors for fields not filled in yet
    form = client.get("/people/refugees/new").get_data(as_text=True).split('class="people-form"')[1]
    assert "check_duplicates" not in form.split('type="submit"')[0]  # Enter in a field saves; it does not check
    other = client.post("/people/refugees/new", data={"full_name": "Selam Tesfay", "check_duplicates": "1"})
    assert "No one with a similar name, phone or e-mail is registered." in other.get_data(as_text=True)


def listed(client, plural, q="", **filters):
    """Names on the first page of a people list searched for `q`, in order."""
    page = client.get(f"/people/{plural}", query_string={"q": q, **filters}).get_data(as_text=True)
    return re.findall(r'<a href="/people/\d+" dir="auto">([^<]+)</a>', page)


def test_search_ranks_by_the_whole_name_and_finds_nonsense_nowhere(client, login_as, make_person):
    names = ["Mohammed Al-Hassan", "Ahmed Khalil", "Araz Mohammed", "Zainab Haidari", "Aaron Baker",
             "Mohammed Jensen", "Fatima Zahra", "Ali Ahmadi", "Hassan Mahmoud", "Anna Larsen"]
    for n, name in enumerate(names):
        make_person("refugee", full_name=name, phone=f"+45223344{n:02d}")
    make_person("volunteer", full_name="Ahmed Khalil", phone="+4599887766")  # not on the refugees' list
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    assert listed(client, "refugees", "zz") == []
    assert listed(client, "refugees", "aaaa") == []
    assert listed(client, "refugees", "Mohamad Alhasan")[0] == "Mohammed Al-Hassan"
    assert "Mohammed Jensen" not in listed(client, "refugees", "Mohamad Alhasan")
    assert listed(client, "refugees", "Ahmad Kalil") == ["Ahmed Khalil"]
    assert listed(client, "refugees", "Araz Muhammad")[0] == "Araz Mohammed"
    assert set(listed(client, "refugees", "Mohammed")) >= {"Mohammed Al-Hassan", "Mohammed Jensen", "Araz Mohammed"}
    for phone in ("+45 22 33 44 03", "0045 2233 4403", "22-33-44-03", "(+45) 22334403"):
        assert listed(client, "refugees", phone) == ["Zainab Haidari"], phone


def test_namesakes_are_told_apart_wherever_they_are_listed(client, login_as, make_person):
    older = make_person("refugee", full_name="Mohammed Ali", birth_year=1980, postcode="8000", languages={"ar": 5})
    younger = make_person("refugee", full_name="Mohammed Ali", birth_year=1999, postcode="8200", languages={"ar": 5})
    volunteer = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4}, capacity=2)
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    for url in ("/people/refugees", "/people/waiting", "/matches/batch?municipality=751"):
        page = client.get(url).get_data(as_text=True)
        for person, born, postcode in ((older, "born 1980", "8000"), (younger, "born 1999", "8200")):
            assert re.search(rf'href="/people/{person.id}" dir="auto">Mohammed Ali</a>\s*<small[^>]*>{born} · '
                             rf'{postcode} · <span dir="ltr">#{person.id}</span></small>', page), url
    client.post(f"/matches/propose/{older.id}", data={"volunteer_id": volunteer.id})
    page = client.get("/matches/").get_data(as_text=True)
    assert f'href="/people/{older.id}"' in page and "born 1980" in page and f'href="/people/{volunteer.id}"' in page
    merge = client.get(f"/people/{older.id}/merge").get_data(as_text=True)
    assert f'href="/people/{younger.id}"' in merge and "born 1999 · 8200" in merge


def test_import_help_uses_the_templates_separators(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    template = client.get("/people/refugees/import/template.csv")
    header = template.data.decode("utf-8-sig").splitlines()[0]
    assert ";" in header and "," not in header  # the template separates columns with semicolons
    help_text = client.get("/people/refugees/import").get_data(as_text=True)
    assert "ar:5, da:2" in help_text and "ar:5; da:2" not in help_text


def test_a_cell_holding_the_separator_is_a_clear_row_error(client, login_as):
    from tests.test_import_export import HEADER_DA, upload

    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    content = (HEADER_DA + "\nAmal Haddad;22 33 44 55;;1990;8000;ar:5; da:2;fodbold;weekend;2026-01-05;ja;papir\n")
    page = upload(client, "refugees", "people.csv", content.encode()).get_data(as_text=True)
    assert "This row has 12 cells but the header has 11: a cell contains the column separator." in page
    assert "not a yes or no" not in page and "not a date" not in page  # no errors from shifted cells


def test_an_approved_volunteer_is_invited_to_an_account_linked_to_their_record(client, login_as, outbox):
    from app.auth.models import User
    from app.people.models import Volunteer

    apply(client, email="ida@example.org", message_locale="da")
    outbox.clear()
    volunteer = db.session.scalars(sa.select(Volunteer)).one()
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post(f"/applicants/{volunteer.id}/approve")
    account = db.session.scalars(sa.select(User).where(User.email == "ida@example.org")).one()
    assert account.role == "volunteer" and account.person_id == volunteer.id and not account.has_password
    [invitation] = [m for m in mail_to(outbox, "ida@example.org") if "/auth/invitation/" in m.get_content()]
    link = re.search(r"http://localhost(/auth/invitation/\S+)", invitation.get_content()).group(1)
    client.post("/auth/logout")
    page = client.get(link)
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)


def test_last_logged_in_is_the_previous_login(client, make_user):
    from datetime import datetime, timezone

    from tests.conftest import log_in

    user = make_user(Role.MANAGER, ["Aarhus"], locale="en")
    with freeze_time(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)):
        log_in(client, user.email)
    client.post("/auth/logout")
    with freeze_time(datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)):
        log_in(client, user.email)
        home = client.get("/").get_data(as_text=True)
    assert "Last logged in Mar 2, 2026" in home
    assert "Mar 5, 2026" not in home


def test_dashboard_counts_agree_with_the_lists_they_link_to(client, login_as, make_person):
    for n in range(3):
        make_person("refugee", full_name=f"Waiting Person {n}")
    make_person("refugee", full_name="No Consent Person", consents={"matching": False})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    home = client.get("/").get_data(as_text=True)
    assert "See all 3 waiting" in home
    assert "See all 4 with the status waiting" in home
    assert "1 of them has not consented to matching and is not on the waiting list" in home
    assert len(listed(client, "waiting")) == 3
    assert len(listed(client, "refugees", status="waiting")) == 4


def test_the_language_chosen_on_the_login_page_is_kept_and_saved(client, make_user):
    from app.auth.models import User
    from tests.conftest import PASSWORD, log_in

    user = make_user(Role.MANAGER, ["Aarhus"], locale="da")
    page = client.get("/auth/login?lang=ti").get_data(as_text=True)
    assert re.search(r'name="lang" type="hidden" value="ti"', page)
    client.post("/auth/login", data={"login": user.email, "password": PASSWORD, "lang": "ti"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ti"
    assert '<html lang="ti"' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "ar", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ar"
    client.post("/auth/logout")
    client.delete_cookie("lang")
    log_in(client, user.email)
    assert '<html lang="ar"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("lang, expected", [("ti", "መጋ 4, 2026"), ("ar", "4 مارس 2026"), ("en", "Mar 4, 2026")])
def test_dates_name_the_month_in_every_language(app, lang, expected):
    from datetime import datetime, timezone

    from flask_babel import force_locale

    from app.i18n.dates import day, when

    with app.test_request_context(), force_locale(lang):
        assert day(date(2026, 3, 4)) == expected
        assert expected in when(datetime(2026, 3, 4, 12, 5, tzinfo=timezone.utc))


def test_distances_use_the_locales_unit(client, login_as, make_person):
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5})
    make_person("volunteer", full_name="Best Friend", postcode="8200", languages={"ar": 4})
    login_as(Role.MANAGER, ["Aarhus"], locale="ar")
    page = client.get(f"/matches/suggestions/{refugee.id}").get_data(as_text=True)
    assert re.search(r"\d كم", page) and "km" not in page.split("<main")[1]


def test_the_public_form_addresses_the_visitor(client):
    page = client.post("/volunteer?lang=en", data={"full_name": "Ida Nielsen", "postcode": "8000"})
    text = page.get_data(as_text=True)
    assert "so that we can contact you" in text and "As you write it" in text
    assert "the person" not in text
