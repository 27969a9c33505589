from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.routes import render_showing
from app.auth.models import Role
from app.events.queries import upcoming_hosting, upcoming_sign_ups
from app.extensions import db
from app.followup.services import make_token as check_in_token
from app.followup.services import open_check_in, open_tasks
from app.main import bp
from app.matches.models import MatchStatus
from app.matches.notifying import CALL_TEXTS, call_tasks, unanswered_proposals, withdrawn_consent
from app.matches.queries import active_match_ids, friendship_of
from app.municipalities.services import municipalities_for
from app.people import services as people_services
from app.people.dashboard import manager_overview
from app.people.forms import OwnAvailabilityForm
from app.people.models import CERTIFICATE_WARNING_DAYS, STATUS_TITLES, RefugeeStatus, VolunteerStatus
from app.permissions import role_required, seen_sides, sees_person
from app.timeutil import now_utc, today_local


@bp.route("/login")
def login():
    """Take someone who types /login to the login page, keeping where they were going."""
    return redirect(url_for("auth.login", **request.args))


@bp.route("/")
def index():
    """Show visitors a welcome and each logged-in user the home page of their role."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    overview, tasks, calls, unanswered, withdrawn, sign_ups, hosting = None, [], [], [], [], [], []
    shown = []
    if current_user.role in ("manager", "admin"):
        overview = manager_overview(current_user, today_local(), CERTIFICATE_WARNING_DAYS)
        tasks = [c for c in open_tasks(active_match_ids(current_user)) if sees_person(c.person)]
        calls, unanswered = call_tasks(current_user, now_utc()), unanswered_proposals(current_user, now_utc())
        withdrawn = withdrawn_consent(current_user)
        shown = _people_shown(overview, tasks, calls, unanswered, withdrawn)
    if current_user.role in ("refugee", "volunteer"):
        sign_ups = upcoming_sign_ups(current_user)
    if current_user.role == "volunteer":
        hosting = upcoming_hosting(current_user)
    return render_showing(
        shown,
        "main/home.html",
        **_own_page(current_user),
        municipalities=municipalities_for(current_user),
        overview=overview,
        tasks=tasks,
        sign_ups=sign_ups,
        hosting=hosting,
        calls=calls,
        unanswered=unanswered,
        withdrawn=withdrawn,
        call_texts=CALL_TEXTS,
        today=today_local(),
        refugee_statuses=[(s.value, STATUS_TITLES[s]) for s in RefugeeStatus],
        volunteer_statuses=[(s.value, STATUS_TITLES[s]) for s in VolunteerStatus],
        certificate_warning_days=CERTIFICATE_WARNING_DAYS,
    )


def _people_shown(overview, tasks, calls, unanswered, withdrawn):
    """Everyone the manager's home page names in full, so that opening it is logged as a view of each.

    A match partner from another municipality, named by first name only, is
    not counted, as on the match's own page.
    """
    matches = [c.match for c in tasks] + [item.match for item in (*unanswered, *withdrawn)]
    return [
        *overview.longest_waiting, *overview.expiring_certificates, *(task.person for task in calls),
        *(person for match in matches for person in seen_sides(match)),
    ]


def _own_page(user, availability_form=None):
    """What a refugee's or volunteer's own page shows: their friendship and, for volunteers, their settings."""
    person = user.person if user.role in (Role.REFUGEE, Role.VOLUNTEER) else None
    if person is None:
        return {"friendship": None, "friend_name": None, "check_in_link": None, "availability_form": None}
    friendship = friendship_of(person)
    check_in = friendship and friendship.status == MatchStatus.ACTIVE and open_check_in(friendship, person.kind)
    if person.kind == "volunteer" and availability_form is None:
        availability_form = OwnAvailabilityForm(
            slots=list(person.availability), capacity=person.capacity or 1,
            paused=person.status == VolunteerStatus.PAUSED,
        )
    friend = friendship and (friendship.volunteer if person.kind == "refugee" else friendship.refugee)
    return {
        "friendship": friendship,
        "friend_name": friend and friend.first_name,
        "check_in_link": check_in and url_for("followup.answer", token=check_in_token(check_in)),
        "availability_form": availability_form if person.kind == "volunteer" else None,
    }


@bp.post("/me/availability")
@role_required(Role.VOLUNTEER)
def own_availability():
    """A volunteer pauses new matches or changes when they are free and how many friends they take."""
    volunteer = current_user.person
    if volunteer is None:
        abort(404)
    form = OwnAvailabilityForm()
    if form.validate_on_submit():
        try:
            people_services.update_own_availability(
                volunteer, form.slots.data, form.capacity.data, form.paused.data, current_user
            )
        except people_services.PersonHeld:
            db.session.rollback()
            flash(_("While you have a friend through the programme, your manager pauses new matches for you. "
                    "Write or call them."), "warning")
            return redirect(url_for(".index"))
        db.session.commit()
        flash(_("Your changes are saved. Your manager can see them."), "success")
    return redirect(url_for(".index"))
