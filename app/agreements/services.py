"""Creating and changing agreements, their documents, the lists and the renewal reminders."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import selectinload

from app.agreements import documents
from app.agreements.models import Agreement, AgreementDocument, AgreementStatus, AgreementStatusChange, RenewalReminder
from app.auth.models import Role, User, manager_municipality
from app.extensions import db
from app.municipalities.models import Municipality
from app.outbox.services import queue_mail
from app.permissions import municipality_codes

#: The "expiring soon" view looks this far ahead.
EXPIRING_DAYS = 90
#: The renewal reminder goes out this long before an agreement runs out.
REMINDER_DAYS = 60
#: Fields of the agreement form that go straight onto the row.
DETAIL_FIELDS = (
    "status", "signed_on", "valid_from", "valid_to", "municipal_contact", "municipal_contact_email",
    "coordinator_id", "municipality_commitments", "organisation_commitments", "notes",
)


class AgreementExists(Exception):
    """The organisation already has an agreement with the municipality."""


def agreements_query(user, today, status="", region_id=0, expiry="", municipality_code=0):
    """Agreements `user` may see (managers: their municipalities), filtered, by municipality name."""
    query = (
        sa.select(Agreement)
        .join(Agreement.municipality)
        .options(selectinload(Agreement.municipality), selectinload(Agreement.organisation))
        .order_by(Municipality.name, Agreement.organisation_id)
    )
    codes = municipality_codes(user)
    if codes is not None:
        query = query.where(Agreement.municipality_code.in_(codes))
    if status:
        query = query.where(Agreement.status == status)
    if region_id:
        query = query.where(Municipality.region_id == region_id)
    if municipality_code:
        query = query.where(Agreement.municipality_code == municipality_code)
    if expiry == "soon":
        query = query.where(
            Agreement.status == AgreementStatus.SIGNED,
            Agreement.valid_to.between(today, today + timedelta(days=EXPIRING_DAYS)),
        ).order_by(None).order_by(Agreement.valid_to, Municipality.name)
    elif expiry == "past":
        query = query.where(Agreement.status == AgreementStatus.SIGNED, Agreement.valid_to < today)
    elif expiry == "open":
        query = query.where(Agreement.valid_to.is_(None))
    return query


def _record_status(agreement, user):
    agreement.history.append(AgreementStatusChange(status=agreement.status, changed_by_id=user.id if user else None))


def create(municipality_code, organisation_id, details, user):
    """Add an agreement and the first step of its history; flush only."""
    exists = db.session.scalar(sa.select(Agreement.id).where(
        Agreement.municipality_code == municipality_code, Agreement.organisation_id == organisation_id
    ))
    if exists:
        raise AgreementExists()
    agreement = Agreement(municipality_code=municipality_code, organisation_id=organisation_id)
    for field in DETAIL_FIELDS:
        setattr(agreement, field, details[field])
    _record_status(agreement, user)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def update(agreement, details, user):
    """Change an agreement; a new status is added to its history."""
    changed_status = details["status"] != agreement.status
    for field in DETAIL_FIELDS:
        setattr(agreement, field, details[field])
    if changed_status:
        _record_status(agreement, user)
    db.session.flush()


def attach(agreement, filename, content, user):
    """Check and store a document; raise documents.DocumentRefused when it is not a PDF or DOCX."""
    kind = documents.kind_of(content)
    document = AgreementDocument(
        agreement_id=agreement.id, filename=filename[:200], kind=kind, size=len(content),
        stored_name=documents.write(content), uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def delete_document(document):
    """Delete the row; the caller removes the file after the commit, so a failed commit loses nothing."""
    db.session.delete(document)
    db.session.flush()


def _responsible(agreement):
    """Who hears about a renewal: the local coordinator and the organisation's managers there."""
    managers = db.session.scalars(
        sa.select(User)
        .join(manager_municipality, manager_municipality.c.user_id == User.id)
        .where(
            manager_municipality.c.municipality_code == agreement.municipality_code,
            User.role == Role.MANAGER, User.organisation_id == agreement.organisation_id, User.is_enabled,
        )
    ).all()
    people = ([agreement.coordinator] if agreement.coordinator and agreement.coordinator.is_enabled else []) + managers
    return list({user.email: user for user in people}.values())


def send_renewal_reminders(today):
    """Remind the responsible people of each signed agreement running out within 60 days; return how many.

    Sent once per agreement and expiry date: a re-run, or a missed day caught
    up, sends nothing twice, and a renewed agreement (a new end date) gets its
    own reminder in time.
    """
    reminded = sa.select(RenewalReminder.id).where(
        RenewalReminder.agreement_id == Agreement.id, RenewalReminder.valid_to == Agreement.valid_to
    )
    due = db.session.scalars(
        sa.select(Agreement)
        .where(
            Agreement.status == AgreementStatus.SIGNED,
            Agreement.valid_to.between(today, today + timedelta(days=REMINDER_DAYS)),
            ~reminded.exists(),
        )
        .options(selectinload(Agreement.municipality), selectinload(Agreement.organisation))
    ).all()
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for agreement in due:
        link = url_for("agreements.detail", agreement_id=agreement.id, _external=True)
        for user in _responsible(agreement):
            queue_mail(user.email, "email/agreement_renewal.txt", user.locale or default,
                       user=user, agreement=agreement, link=link)
        db.session.add(RenewalReminder(agreement_id=agreement.id, valid_to=agreement.valid_to))
    db.session.flush()
    return len(due)
