"""Cooperation agreements: lists, editing and history, documents, renewal reminders."""
import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from app.agreements import documents
from app.agreements.models import Agreement, AgreementDocument, RenewalReminder
from app.agreements.services import send_renewal_reminders
from app.auth.models import Organisation, Role
from app.extensions import db
from app.scheduler import run_job
from app.timeutil import today_local
from tests.conftest import log_in

TODAY = today_local()
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def docx_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def document_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "AGREEMENT_DOCUMENTS_DIR", str(tmp_path / "agreements"))
    return tmp_path / "agreements"


def red_cross():
    """The organisation test managers belong to (conftest's make_user)."""
    organisation = db.session.scalars(sa.select(Organisation).where(Organisation.name == "Dansk Røde Kors")).first()
    if organisation is None:
        organisation = Organisation(name="Dansk Røde Kors")
        db.session.add(organisation)
        db.session.flush()
    return organisation


def agreement_in(code, **fields):
    agreement = Agreement(municipality_code=code, organisation_id=red_cross().id, **fields)
    db.session.add(agreement)
    db.session.commit()
    return agreement


def form_data(**overrides):
    data = {"status": "in_dialogue", "coordinator_id": "0", "municipal_contact": "Kirsten Kommune"}
    data.update(overrides)
    return data


def test_a_manager_creates_an_agreement_and_its_history_records_each_status(client, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    response = client.post("/agreements/new", data=form_data(
        municipality_code="751", organisation_id=str(manager.organisation_id),
    ))
    agreement = db.session.scalars(sa.select(Agreement)).one()
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}")
    client.post(f"/agreements/{agreement.id}/edit", data=form_data(
        status="signed", signed_on=TODAY.isoformat(), valid_from=TODAY.isoformat(),
        valid_to=(TODAY + timedelta(days=730)).isoformat(),
    ))
    client.post(f"/agreements/{agreement.id}/edit", data=form_data(
        status="signed", signed_on=TODAY.isoformat(), notes="Renewed talks in spring",
    ))
    db.session.expire_all()
    assert [c.status for c in sorted(agreement.history, key=lambda c: c.id)] == ["in_dialogue", "signed"]
    assert all(c.changed_by_id == manager.id for c in agreement.history)
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Renewed talks in spring" in page and manager.full_name in page


def test_one_agreement_per_municipality_and_organisation(client, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    agreement_in(751)
    response = client.post("/agreements/new", data=form_data(
        municipality_code="751", organisation_id=str(manager.organisation_id), municipal_contact="Typed again",
    ))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "already has an agreement" in page and "Typed again" in page


@pytest.mark.parametrize("fields, error", [
    ({"status": "signed"}, "needs the date it was signed"),
    ({"valid_from": "2027-01-01", "valid_to": "2026-01-01"}, "on or after the start date"),
])
def test_agreement_dates_are_checked(client, login_as, fields, error):
    login_as(Role.ADMIN, locale="en")
    agreement = agreement_in(751)
    response = client.post(f"/agreements/{agreement.id}/edit", data=form_data(**fields))
    assert error in response.get_data(as_text=True)


def test_managers_list_their_municipalities_and_head_office_all_with_filters(client, login_as, make_user):
    agreement_in(751, status="signed", signed_on=TODAY, valid_to=TODAY + timedelta(days=30))
    agreement_in(101, status="in_dialogue")
    agreement_in(461, status="signed", signed_on=TODAY, valid_to=TODAY + timedelta(days=200))
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.get("/agreements/").get_data(as_text=True)
    assert "Aarhus" in page and "København" not in page
    assert client.get("/agreements/?expiry=soon").status_code == 200

    head_office = make_user(Role.HEAD_OFFICE, locale="en")
    switch_user(client, head_office)
    page = client.get("/agreements/").get_data(as_text=True)
    assert "1 agreement" not in page and "3 agreements" in page
    soon = client.get("/agreements/?expiry=soon").get_data(as_text=True)
    assert "Aarhus" in soon and "Odense" not in soon and "København" not in soon
    hovedstaden = db.session.scalar(sa.text("SELECT id FROM region WHERE name = 'Region Hovedstaden'"))
    by_region = client.get(f"/agreements/?region={hovedstaden}").get_data(as_text=True)
    assert "København" in by_region and "Aarhus" not in by_region
    assert "København" not in client.get("/agreements/?status=signed").get_data(as_text=True)


def switch_user(client, user):
    client.post("/auth/logout")
    log_in(client, user.email)


def upload(client, agreement, content, name):
    return client.post(f"/agreements/{agreement.id}/documents",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("content, name", [(PDF, "aftale.pdf"), (None, "aftale.docx")])
def test_documents_are_stored_outside_static_and_served_as_attachments(
        client, login_as, document_folder, content, name):
    login_as(Role.MANAGER, ["Aarhus"])
    agreement = agreement_in(751)
    content = content or docx_bytes()
    assert upload(client, agreement, content, name).status_code == 302
    document = db.session.scalars(sa.select(AgreementDocument)).one()
    assert (document_folder / document.stored_name).read_bytes() == content
    response = client.get(f"/agreements/documents/{document.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("content, name", [
    (b"MZ\x90\x00 not a pdf", "aftale.pdf"),
    (b"PK\x03\x04 broken zip", "aftale.docx"),
    (b"%PDF-" + b"x" * documents.MAX_BYTES, "big.pdf"),
])
def test_documents_are_checked_by_content_and_size(client, login_as, content, name):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    agreement = agreement_in(751)
    response = upload(client, agreement, content, name)
    assert response.status_code == 400
    assert "Only PDF and Word" in response.get_data(as_text=True) or "larger than" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementDocument)) == 0


def test_documents_are_refused_to_other_municipalities_managers_and_the_public(client, login_as, make_user):
    login_as(Role.MANAGER, ["Aarhus"])
    agreement = agreement_in(751)
    upload(client, agreement, PDF, "aftale.pdf")
    document = db.session.scalars(sa.select(AgreementDocument)).one()

    switch_user(client, make_user(Role.MANAGER, ["Odense"]))
    assert client.get(f"/agreements/documents/{document.id}").status_code == 403
    assert client.get(f"/agreements/{agreement.id}").status_code == 403
    assert upload(client, agreement, PDF, "x.pdf").status_code == 403

    for role in (Role.VOLUNTEER, Role.REFUGEE):
        switch_user(client, make_user(role))
        assert client.get(f"/agreements/documents/{document.id}").status_code == 403

    client.post("/auth/logout")
    response = client.get(f"/agreements/documents/{document.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get(f"/static/../instance/agreements/{document.stored_name}").status_code == 404


def test_deleting_a_document_asks_first(client, login_as, document_folder):
    login_as(Role.MANAGER, ["Aarhus"])
    agreement = agreement_in(751)
    upload(client, agreement, PDF, "aftale.pdf")
    document = db.session.scalars(sa.select(AgreementDocument)).one()
    assert client.get(f"/agreements/documents/{document.id}/delete").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementDocument)) == 1
    client.post(f"/agreements/documents/{document.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementDocument)) == 0
    assert not (document_folder / document.stored_name).exists()


def test_renewal_reminder_60_days_before_expiry_once_in_each_recipients_language(app, make_user, outbox):
    coordinator = make_user(Role.HEAD_OFFICE, locale="en", full_name="Clara Coordinator")
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="da")
    make_user(Role.MANAGER, ["Odense"])  # another municipality: not told
    expires = TODAY + timedelta(days=100)
    agreement = agreement_in(751, status="signed", signed_on=TODAY, valid_to=expires, coordinator_id=coordinator.id)

    with freeze_time(expires - timedelta(days=61)):
        assert run_job("agreement-renewal-reminders")
    assert len(outbox) == 0
    with freeze_time(expires - timedelta(days=60)):
        assert run_job("agreement-renewal-reminders")
        assert run_job("agreement-renewal-reminders")
    assert sorted(m["To"] for m in outbox) == sorted([coordinator.email, manager.email])
    english = next(m for m in outbox if m["To"] == coordinator.email)
    assert english["Subject"].startswith("The agreement with Aarhus runs out on")
    danish = next(m for m in outbox if m["To"] == manager.email)
    assert "Aarhus" in danish["Subject"] and "runs out" not in danish["Subject"]
    assert f"/agreements/{agreement.id}" in english.get_content()

    # Renewed: a reminder again 60 days before the new end date, not before.
    outbox.clear()
    agreement.valid_to = expires + timedelta(days=365)
    db.session.commit()
    assert send_renewal_reminders(expires - timedelta(days=10)) == 0
    assert send_renewal_reminders(agreement.valid_to - timedelta(days=60)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RenewalReminder)) == 2


def test_no_reminder_for_agreements_not_signed_or_without_end(app, make_user, outbox):
    make_user(Role.MANAGER, ["Aarhus"])
    agreement_in(751, status="in_dialogue", valid_to=TODAY + timedelta(days=30))
    agreement_in(461, status="signed", signed_on=TODAY)
    assert send_renewal_reminders(TODAY) == 0 and len(outbox) == 0
