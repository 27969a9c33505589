"""How activities answer the people registry's signals (app/signals.py).

A person signed up from the registry keeps their sign-ups when their
record is merged, their coming activities show on their page, and an
erased person's sign-ups are cancelled.
"""
import sqlalchemy as sa
from flask import render_template
from flask_babel import get_locale, gettext as _
from markupsafe import Markup

from app.auth.models import User
from app.events.models import Activity, ActivityHost, SignUp, SignUpStatus, text_for
from app.events.services import LIVE_STATUSES, cancel_sign_up
from app.extensions import db
from app.signals import DataSection, person_data_sections, person_erased, person_merged, person_page_sections
from app.timeutil import now_utc


def move_sign_ups(keep, other):
    """Give the kept record the duplicate's sign-ups; where both were signed up for a date, the kept one stays."""
    kept_dates = set(db.session.scalars(
        sa.select(SignUp.activity_id).where(SignUp.person_id == keep.id, SignUp.status.in_(LIVE_STATUSES))
    ))
    for record in db.session.scalars(sa.select(SignUp).where(SignUp.person_id == other.id)):
        if record.activity_id in kept_dates and record.status in LIVE_STATUSES:
            cancel_sign_up(record)
        record.person_id = keep.id
    db.session.flush()


def cancel_sign_ups_of_erased(person, user=None):
    """Cancel the erased person's live sign-ups (the waitlist moves up) and their account's coming host slots.

    Past sign-ups stay, without contact details, so attendance still adds up.
    """
    account_id = db.session.scalar(sa.select(User.id).where(User.person_id == person.id))
    theirs = sa.or_(SignUp.person_id == person.id, *([SignUp.user_id == account_id] if account_id else []))
    for record in db.session.scalars(sa.select(SignUp).where(theirs, SignUp.status.in_(LIVE_STATUSES))).all():
        cancel_sign_up(record)
    db.session.execute(
        sa.update(SignUp).where(theirs).values(contact_name=None, contact_phone=None, contact_email=None)
    )
    if account_id is not None:
        coming = sa.select(Activity.id).where(Activity.starts_at > now_utc())
        db.session.execute(
            sa.delete(ActivityHost).where(ActivityHost.user_id == account_id, ActivityHost.activity_id.in_(coming))
        )
    db.session.flush()


def activities_section(person):
    """The person's coming activities, for their page."""
    sign_ups = db.session.scalars(
        sa.select(SignUp).join(SignUp.activity)
        .where(SignUp.person_id == person.id, SignUp.status != SignUpStatus.CANCELLED, Activity.ends_at > now_utc())
        .order_by(Activity.starts_at)
    ).all()
    if not sign_ups:
        return None
    return Markup(render_template("events/_person_sign_ups.html", sign_ups=sign_ups))


def sign_ups_data(person):
    """Every sign-up of the person, past and coming, for their copy of their data."""
    sign_ups = db.session.scalars(
        sa.select(SignUp).join(SignUp.activity).where(SignUp.person_id == person.id).order_by(Activity.starts_at)
    ).all()
    return DataSection("activity_sign_ups", _("Activities"), [
        ("activity", _("Activity")), ("starts_at", _("When")), ("seats", _("Seats")), ("status", _("Status")),
    ], [{"activity": text_for(s.activity, get_locale()).title, "starts_at": s.activity.starts_at, "seats": s.seats,
         "status": s.status_title} for s in sign_ups])


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_merged.connect(move_sign_ups)
    person_page_sections.connect(activities_section)
    person_data_sections.connect(sign_ups_data)
    person_erased.connect(cancel_sign_ups_of_erased)
