import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.people.models import Volunteer


def application(**overrides):
    data = {
        "full_name": "Ida Nielsen",
        "email": "ida@example.org",
        "phone": "",
        "message_locale": "ar",
        "gender": "",
        "wants_gender": "",
        "postcode": "8000",
        "languages-0-code": "da",
        "languages-0-level": "5",
        "languages-1-code": "ar",
        "languages-1-level": "2",
        "interests": ["cooking"],
        "available_weekend": "y",
        "capacity": "1",
        "consent_matching": "y",
        "consent_contact": "y",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def volunteers():
    return db.session.scalars(sa.select(Volunteer)).all()


def test_anyone_can_apply_and_becomes_an_applicant(client, outbox):
    page = client.post("/volunteer?lang=en", data=application()).get_data(as_text=True)
    assert "Thank you for your application" in page
    [volunteer] = volunteers()
    assert volunteer.status == "applicant"
    assert volunteer.municipality.name == "Aarhus"
    assert volunteer.has_consent("matching") and volunteer.has_consent("contact")
    assert not volunteer.has_consent("statistics")
    assert volunteer.current_consent("matching").method == "online"
    assert volunteer.current_consent("matching").recorded_by is None
    assert len(outbox) == 1 and re.search("[\u0600-\u06ff]", outbox[0]["Subject"])


@pytest.mark.parametrize("lang", ["da", "en", "ar", "fa", "ti"])
def test_application_form_is_in_every_language(client, lang):
    page = client.get(f"/volunteer?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}"' in page
    assert 'name="website"' in page and 'name="postcode"' in page


def test_the_empty_form_is_built_once_per_language_and_a_refused_one_keeps_its_answers(client):
    danish = client.get("/volunteer?lang=da").get_data(as_text=True)
    assert client.get("/volunteer?lang=da").get_data(as_text=True).split('name="website"')[1] \
        == danish.split('name="website"')[1]
    arabic = client.get("/volunteer?lang=ar").get_data(as_text=True)
    assert ">Madlavning<" in danish and ">Madlavning<" not in arabic
    assert re.search(r'value="cooking"><label[^>]*>[\u0600-\u06ff ]+<', arabic)
    assert "checked" not in arabic.split("</legend>", 3)[3].split("other_interests")[0]
    page = client.post("/volunteer?lang=en", data=application(postcode="")).get_data(as_text=True)
    assert re.search(r'<option selected value="ar">|<option value="ar" selected>', page.split('id="languages-1-code"')[1].split("</select>")[0])
    assert re.search(r'checked[^>]*value="cooking"|value="cooking"[^>]*checked', page)
    assert ">Madlavning<" not in client.get("/volunteer?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"consent_matching": None}, "This field is required."),
        ({"postcode": ""}, "This field is required."),
        ({"postcode": "0999"}, "This is not a Danish postcode we know."),
        ({"email": "", "phone": ""}, "Give a phone number or an e-mail address"),
    ],
)
def test_invalid_applications_are_explained_and_kept(client, overrides, message):
    page = client.post("/volunteer?lang=en", data=application(**overrides)).get_data(as_text=True)
    assert message in page
    assert 'value="Ida Nielsen"' in page
    assert volunteers() == []


def test_bots_filling_the_hidden_field_are_thanked_but_not_saved(client, outbox):
    page = client.post("/volunteer?lang=en", data=application(website="http://spam.example")).get_data(as_text=True)
    assert "Thank you for your application" in page
    assert volunteers() == [] and not outbox


def test_applying_twice_with_a_known_email_reveals_nothing(client):
    first = client.post("/volunteer?lang=en", data=application()).get_data(as_text=True)
    second = client.post("/volunteer?lang=en", data=application()).get_data(as_text=True)
    assert re.sub(r'name="csrf_token"[^>]*', "", first) == re.sub(r'name="csrf_token"[^>]*', "", second)


def test_rate_limit_per_address(client):
    for n in range(5):
        assert client.post("/volunteer", data=application(email=f"v{n}@example.org")).status_code == 200
    blocked = client.post("/volunteer?lang=en", data=application(email="v6@example.org"))
    assert blocked.status_code == 429
    assert "Too many applications" in blocked.get_data(as_text=True)
    assert len(volunteers()) == 5


def test_manager_approves_an_applicant_who_is_told_in_their_language(client, login_as, outbox):
    client.post("/volunteer", data=application(message_locale="ti"))
    outbox.clear()
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    [volunteer] = volunteers()
    assert "Ida Nielsen" in client.get("/people/volunteers?status=applicant").get_data(as_text=True)
    client.post(f"/applicants/{volunteer.id}/approve")
    db.session.refresh(volunteer)
    assert volunteer.status == "available"
    assert re.search("[\u1200-\u137f]", outbox[0].get_content())


def test_decline_needs_a_reason_that_is_mailed_and_kept(client, login_as, outbox):
    client.post("/volunteer", data=application(message_locale="en"))
    outbox.clear()
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    [volunteer] = volunteers()
    page = client.post(f"/applicants/{volunteer.id}/decline", data={"reason": ""}).get_data(as_text=True)
    assert "This field is required." in page
    client.post(f"/applicants/{volunteer.id}/decline", data={"reason": "We have enough volunteers in your area."})
    db.session.refresh(volunteer)
    assert volunteer.status == "left"
    assert volunteer.status_changes[0].note == "We have enough volunteers in your area."
    assert "We have enough volunteers in your area." in outbox[0].get_content()


def test_managers_elsewhere_cannot_decide(client, login_as):
    client.post("/volunteer", data=application())
    login_as(Role.MANAGER, ["Odense"])
    [volunteer] = volunteers()
    assert client.post(f"/applicants/{volunteer.id}/approve").status_code == 403
    db.session.refresh(volunteer)
    assert volunteer.status == "applicant"
