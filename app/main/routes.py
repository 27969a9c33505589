from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.events.queries import upcoming_sign_ups
from app.followup.services import open_tasks
from app.main import bp
from app.matches.notifying import CALL_TEXTS, call_tasks, unanswered_proposals
from app.matches.queries import active_match_ids
from app.municipalities.services import municipalities_for
from app.people.dashboard import manager_overview
from app.people.models import CERTIFICATE_WARNING_DAYS, STATUS_TITLES, RefugeeStatus, VolunteerStatus
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
    overview, tasks, calls, unanswered, sign_ups = None, [], [], [], []
    if current_user.role in ("manager", "admin"):
        overview = manager_overview(current_user, today_local(), CERTIFICATE_WARNING_DAYS)
        tasks = open_tasks(active_match_ids(current_user))
        calls, unanswered = call_tasks(current_user, now_utc()), unanswered_proposals(current_user, now_utc())
    if current_user.role in ("refugee", "volunteer"):
        sign_ups = upcoming_sign_ups(current_user.id)
    return render_template(
        "main/home.html",
        municipalities=municipalities_for(current_user),
        overview=overview,
        tasks=tasks,
        sign_ups=sign_ups,
        calls=calls,
        unanswered=unanswered,
        call_texts=CALL_TEXTS,
        today=today_local(),
        refugee_statuses=[(s.value, STATUS_TITLES[s]) for s in RefugeeStatus],
        volunteer_statuses=[(s.value, STATUS_TITLES[s]) for s in VolunteerStatus],
        certificate_warning_days=CERTIFICATE_WARNING_DAYS,
    )
