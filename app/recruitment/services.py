"""Volunteer applications: receiving them, and approving or declining with an e-mail."""
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import send_invitation
from app.extensions import db
from app.outbox.services import queue_mail
from app.people.models import VolunteerStatus
from app.people.services import create_person, set_status

#: Applications one address may send, against scripted spam.
APPLICATION_LIMIT = "5 per hour"


def submit_application(data):
    """Register an applicant volunteer from the public form and thank them by e-mail."""
    volunteer, _ = create_person("volunteer", data, None, status=VolunteerStatus.APPLICANT)
    _mail(volunteer, "email/application_received.txt")
    return volunteer


def approve(volunteer, user):
    """Make an applicant an available volunteer, tell them, and invite them to their own account."""
    set_status(volunteer, VolunteerStatus.AVAILABLE, user)
    _mail(volunteer, "email/application_approved.txt")
    invite_volunteer(volunteer)


def invite_volunteer(volunteer):
    """Give an approved volunteer an account linked to their record and invite them to set a password.

    The link lets the activity pages recognise them. Without an e-mail
    address there is nothing to send; an address that already has an account
    is not invited again (a volunteer's account without a record is linked).
    """
    if not volunteer.email:
        return None
    account = db.session.scalars(sa.select(User).where(User.email == volunteer.email)).first()
    if account is None:
        account = User(email=volunteer.email, full_name=volunteer.full_name, role=Role.VOLUNTEER,
                       locale=volunteer.message_locale, person=volunteer)
        db.session.add(account)
        db.session.flush()
        send_invitation(account)
    elif account.role == Role.VOLUNTEER and account.person_id is None:
        account.person = volunteer
    return account


def decline(volunteer, user, reason):
    """Decline an applicant, keeping the reason in the history, and tell them why."""
    set_status(volunteer, VolunteerStatus.LEFT, user, note=reason)
    _mail(volunteer, "email/application_declined.txt", reason=reason)


def _mail(volunteer, template, **context):
    if not volunteer.contact_email:
        return
    queue_mail(volunteer.contact_email, template, volunteer.message_locale, volunteer=volunteer, **context)
