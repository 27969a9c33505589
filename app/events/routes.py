"""Public activity pages and calendars, signing up, and the managers' venues, dates and door lists.

The public URLs (/activities, /activities/<id>, /activities/<id>.ics,
/venues/<id>/calendar.ics) are a contract: other tools link to them.
Public pages never show who signed up.
"""
import re
from datetime import time

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.audit.models import AuditAction
from app.audit.services import record_many
from app.auth.models import Role
from app.events import attendance, calendars, links, services
from app.events.forms import (
    ActivityForm,
    AttendanceFilterForm,
    AttendanceForm,
    CancelForm,
    ContactSignUpForm,
    FilterForm,
    RegistrySignUpForm,
    SignUpForm,
    VenueForm,
)
from app.events.models import CATEGORIES, Activity, SignUp, SignUpStatus, Venue, text_for
from app.events.queries import (
    activity_for_page, filter_choices, listed_dates, seats_taken_by_activity, upcoming_query
)
from app.events.services import EventError
from app.extensions import db, requested_page
from app.limits import allow
from app.forms import ConfirmForm, search_text
from app.fragments import Fragments
from app.municipalities.services import municipalities_for
from app.people.languages import language_name
from app.people.models import Person
from app.permissions import (
    can_see_personal_data,
    municipality_codes,
    require_municipality,
    role_required,
    scope_to_user,
)
from app.signing import LinkError
from app.serving import cached_for_visitors, content_hash, public_page, revalidated
from app.timeutil import now_utc, today_local

bp = Blueprint("events", __name__)

#: Accounts that sign up for themselves with one tap.
PARTICIPANT_ROLES = (Role.REFUGEE, Role.VOLUNTEER)
#: People found by a manager's search when signing someone up from the registry.
REGISTRY_SEARCH_LIMIT = 10
#: Sign-ups without an account one address may make for one date per hour, so a script cannot fill it.
CONTACT_SIGN_UP_LIMIT = "5 per hour"


@bp.app_template_global()
def activity_text(activity):
    """The activity's title and description in the viewer's language, or the nearest there is."""
    return text_for(activity, str(get_locale()))


#: (language, everything a row of the public list shows) -> the row's HTML.
_list_rows = Fragments(4096)


@bp.app_template_global()
def activity_rows(dates):
    """Return the HTML of each date of the public list (`ListedDate`s), each rendered once per language and content.

    The key is the row itself, everything it shows (times, title, place,
    seats taken), so a change shows at once and nothing is ever stale;
    Babel's dates and Jinja's macros per row were most of the list's time,
    and most visitors see the same rows.
    """
    locale = str(get_locale())
    return [_list_rows.get((locale, date), _list_row, date) for date in dates]


def _list_row(date):
    return get_template_attribute("events/_macros.html", "list_row")(date)


@bp.app_template_global()
def spoken_language(code):
    return language_name(code, str(get_locale()))


def _activity(activity_id):
    return db.session.get(Activity, activity_id) or abort(404)


def _is_participant():
    return current_user.is_authenticated and current_user.role_enum in PARTICIPANT_ROLES


def _my_sign_up(activity):
    """The viewer's live sign-up: made with their account, or for their registry record (by a manager or with a friend)."""
    if not _is_participant():
        return None
    return services.live_sign_up_of(activity.id, user_id=current_user.id) or (
        current_user.person_id and services.live_sign_up_of(activity.id, person_id=current_user.person_id)
    ) or None


def _friend():
    """The viewer's friend in an active match, with whom they may sign up together; or None."""
    return current_user.person and services.active_friend(current_user.person) if _is_participant() else None


def _status_message(record):
    if record.status == SignUpStatus.CONFIRMED:
        return _("You have a place. See you there!")
    position = services.waitlist_position(record)
    return ngettext("The activity is full. You are number %(num)d on the waitlist.",
                    "The activity is full. You are number %(num)d on the waitlist.", position)


# Public pages ------------------------------------------------------------------


#: The public list's filters, in the order of its form.
LIST_FILTERS = ("municipality", "venue", "category", "date", "audience")
#: (language, municipalities, places, the filters' values asked for) -> (the valid choices, the form's HTML).
_filter_forms = Fragments(256)


def _filters(municipalities, venues):
    """Return the filters chosen (valid ones, else None) and the filter form's HTML, built once per content.

    Both follow from the language, the municipalities and places to choose
    from and what the query string asks for, all in the key; the form and
    its 98 municipalities were a third of the list's time.
    """
    def build():
        form = FilterForm(municipalities, venues)
        chosen = {name: form.chosen(name) or None for name in LIST_FILTERS}
        return chosen, get_template_attribute("events/_macros.html", "filter_form")(form)

    asked = tuple(request.args.get(name) for name in LIST_FILTERS)
    return _filter_forms.get((str(get_locale()), municipalities, venues, asked), build)


@bp.get("/activities")
@cached_for_visitors
def index():
    """The public list of coming dates, filtered by a plain GET form."""
    chosen, filter_form = _filters(*filter_choices())
    page = listed_dates(requested_page(), current_app.config["PER_PAGE"], str(get_locale()),
                        municipality=chosen["municipality"], venue=chosen["venue"], category=chosen["category"],
                        audience=chosen["audience"], window=chosen["date"], today=today_local())
    return public_page(render_template("events/index.html", page=page, filter_form=filter_form,
                                       filtered=any(chosen.values())))


def _render_activity(activity_id, form=None):
    activity, taken, waiting = activity_for_page(activity_id) or abort(404)
    mine = _my_sign_up(activity)
    started = activity.starts_at <= now_utc()
    if form is None and activity.cancelled_at is None and not started and mine is None:
        if _is_participant():
            form = SignUpForm()
        elif not current_user.is_authenticated:
            form = ContactSignUpForm()
    text = text_for(activity, str(get_locale()))
    return render_template(
        "events/show.html", activity=activity, text=text, form=form, mine=mine,
        position=mine and services.waitlist_position(mine), seats_left=services.seats_left(activity, taken),
        waiting=waiting, cancel_form=ConfirmForm(), started=started,
        hosting=current_user.is_authenticated and any(h.user_id == current_user.id for h in activity.hosts),
        friend_name=form is not None and (friend := _friend()) and friend.first_name,
        can_manage=current_user.is_authenticated
        and can_see_personal_data(current_user, activity.venue.municipality_code),
    )


@bp.get("/activities/<int:activity_id>")
@cached_for_visitors
def show(activity_id):
    return public_page(_render_activity(activity_id))


@bp.post("/activities/<int:activity_id>/sign-up")
def sign_up(activity_id):
    """One tap for a refugee or volunteer; name and phone or e-mail for a visitor without an account."""
    activity = _activity(activity_id)
    if current_user.is_authenticated and not _is_participant():
        abort(403)
    form = SignUpForm() if _is_participant() else ContactSignUpForm()
    if not form.validate_on_submit():
        return _render_activity(activity.id, form)
    if not _is_participant():
        if form.website.data:  # a bot filled in the hidden field
            return redirect(url_for(".show", activity_id=activity.id))
        if not allow(CONTACT_SIGN_UP_LIMIT, "contact-sign-up", activity.id):
            flash(_("Too many sign-ups were sent from here. Try again in an hour."), "danger")
            return _render_activity(activity.id, form), 429
    seats = 1 + form.extra.data
    if _is_participant():
        record = _step(lambda: services.sign_up(activity.id, seats, user=current_user, by=current_user))
    else:
        contact = (form.name.data.strip(), form.phone.data, form.email.data)
        record = _step(lambda: services.sign_up(activity.id, seats, contact=contact, locale=str(get_locale())))
    if record is None:
        return redirect(url_for(".show", activity_id=activity.id))
    flash(_status_message(record), "success")
    if record.user_id is None:
        return redirect(url_for(".my_sign_up", token=links.make_token(record)))
    return redirect(url_for(".show", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/sign-up-with-friend")
@role_required(*PARTICIPANT_ROLES)
def sign_up_with_friend(activity_id):
    """Sign up oneself and one's friend together with one tap: seats for both, or for neither."""
    activity = _activity(activity_id)
    if current_user.person is None or not ConfirmForm().validate_on_submit():
        abort(400)
    _step(lambda: services.sign_up_friends(activity.id, current_user.person, by=current_user),
          _("You and your friend have a place. See you there!"))
    return redirect(url_for(".show", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/cancel-sign-up")
@role_required(*PARTICIPANT_ROLES)
def cancel_my_sign_up(activity_id):
    """Give up one's seat or leave the waitlist with one tap."""
    activity = _activity(activity_id)
    record = _my_sign_up(activity)
    if record is not None and ConfirmForm().validate_on_submit():
        _cancel(record)
    return redirect(url_for(".show", activity_id=activity.id))


def _cancel(record):
    was_waiting = record.status == SignUpStatus.WAITLISTED
    services.cancel_sign_up(record)
    db.session.commit()
    flash(_("You have left the waitlist.") if was_waiting else _("Your sign-up is cancelled."), "success")


@bp.get("/activities/sign-ups/<token>")
def my_sign_up(token):
    """The personal page of a sign-up made without an account: see it or cancel it."""
    try:
        record = links.sign_up_for_token(token)
    except LinkError as error:
        return render_template("events/link_invalid.html", message=error.message), 410
    return render_template(
        "events/my_sign_up.html", record=record, activity=record.activity, token=token,
        position=services.waitlist_position(record), cancel_form=ConfirmForm(),
        link=url_for(".my_sign_up", token=token, _external=True),
    )


@bp.post("/activities/sign-ups/<token>/cancel")
def cancel_by_link(token):
    try:
        record = links.sign_up_for_token(token)
    except LinkError as error:
        return render_template("events/link_invalid.html", message=error.message), 410
    if record.status != SignUpStatus.CANCELLED and ConfirmForm().validate_on_submit():
        _cancel(record)
    return redirect(url_for(".my_sign_up", token=token))


@bp.post("/activities/<int:activity_id>/host")
@role_required(Role.VOLUNTEER)
def host(activity_id):
    """A volunteer takes a host slot with one tap."""
    activity = _activity(activity_id)
    if ConfirmForm().validate_on_submit():
        _step(lambda: services.take_host_slot(activity.id, current_user), _("Thank you for hosting!"))
    return redirect(url_for(".show", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/stop-hosting")
@role_required(Role.VOLUNTEER)
def stop_hosting(activity_id):
    activity = _activity(activity_id)
    if ConfirmForm().validate_on_submit():
        services.give_up_host_slot(activity, current_user)
        db.session.commit()
        flash(_("You are no longer hosting this date."), "success")
    return redirect(url_for(".show", activity_id=activity.id))


# Calendars ---------------------------------------------------------------------


def _activity_url(activity):
    return url_for("events.show", activity_id=activity.id, _external=True)


#: A calendar's DTSTAMP lines: the time the file was made, which says nothing about its events.
_DTSTAMP = re.compile(rb"^DTSTAMP:[^\r\n]*\r?\n", re.MULTILINE)


def _ics(body, filename):
    response = Response(body, mimetype="text/calendar",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return revalidated(response, weak_etag=content_hash(_DTSTAMP.sub(b"", body)))


@bp.get("/activities/<int:activity_id>.ics")
def activity_calendar(activity_id):
    """Add one date to a calendar; its time is the time on the page."""
    activity = _activity(activity_id)
    body = calendars.activity_ics(activity, str(get_locale()), request.host, _activity_url)
    return _ics(body, f"activity-{activity.id}.ics")


@bp.get("/venues/<int:venue_id>/calendar.ics")
def venue_calendar(venue_id):
    """A subscribable feed of a venue's coming dates; each series once, with its rule."""
    venue = db.session.get(Venue, venue_id) or abort(404)
    activities = db.session.scalars(
        upcoming_query(venue=venue.id).options(selectinload(Activity.series))
    ).all()
    body = calendars.venue_ics(venue, activities, str(get_locale()), request.host, _activity_url)
    return _ics(body, f"venue-{venue.id}.ics")


# Managers: venues --------------------------------------------------------------

MANAGERS = ("admin", "manager")


def _managed_venues():
    query = sa.select(Venue).options(joinedload(Venue.municipality)).order_by(Venue.name)
    codes = municipality_codes(current_user)
    if codes is not None:
        query = query.where(Venue.municipality_code.in_(codes))
    return db.session.scalars(query).all()


def _managed_venue(venue_id):
    venue = db.session.get(Venue, venue_id) or abort(404)
    require_municipality(venue.municipality_code, personal_data=True)
    return venue


@bp.get("/manage/venues")
@role_required(*MANAGERS)
def venues():
    return render_template("events/venues.html", venues=_managed_venues())


@bp.route("/manage/venues/new", methods=["GET", "POST"], defaults={"venue_id": None})
@bp.route("/manage/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_venue(venue_id):
    venue = _managed_venue(venue_id) if venue_id else None
    form = VenueForm(obj=venue, municipalities=municipalities_for(current_user))
    if form.validate_on_submit():
        services.save_venue(venue, form.data)
        db.session.commit()
        flash(_("The place is saved."), "success")
        return redirect(url_for(".venues"))
    return render_template("events/venue_form.html", form=form, venue=venue)


# Managers: activities ----------------------------------------------------------


def _managed_activity(activity_id):
    activity = _activity(activity_id)
    require_municipality(activity.venue.municipality_code, personal_data=True)
    return activity


@bp.get("/manage/activities")
@role_required(*MANAGERS)
def manage():
    """Coming dates at the manager's venues, with the seats taken."""
    ids = [v.id for v in _managed_venues()]
    query = upcoming_query().where(Activity.venue_id.in_(ids))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    taken = seats_taken_by_activity([a.id for a in page.items])
    return render_template("events/manage.html", page=page, taken=taken, has_venues=bool(ids))


@bp.route("/manage/activities/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_activity():
    venues = _managed_venues()
    if not venues:
        flash(_("Add a place first: activities happen at a place."), "info")
        return redirect(url_for(".edit_venue"))
    form = ActivityForm(venues=venues)
    if form.validate_on_submit():
        def create():
            if form.rule:
                return services.create_series(form.details(), form.rule, form.day.data, form.start_time.data,
                                              form.duration).activities[0]
            return services.create_activity(form.details(), form.day.data, form.start_time.data, form.duration)

        activity = _save_activity(create)
        if activity is not None:
            return redirect(url_for(".show", activity_id=activity.id))
    return render_template("events/activity_form.html", form=form, activity=None)


def _save_activity(step):
    """Create or edit dates; return the activity to show, or None when the form is shown again."""
    return _step(step, _("The activity is saved."))


def _step(run, done=None):
    """Run a service step that may raise EventError and commit it, flashing `done` if given.

    Return the step's result, or None after rolling back and saying why it
    could not be taken.
    """
    try:
        result = run()
    except EventError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return None
    db.session.commit()
    if done:
        flash(done, "success")
    return result


@bp.route("/manage/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_activity(activity_id):
    """Edit one date, or, for a series, this date and all following ones."""
    activity = _managed_activity(activity_id)
    form = ActivityForm(venues=_managed_venues(), data=ActivityForm.data_of(activity))
    if form.validate_on_submit():
        def edit():
            if activity.series_id and form.scope.data == "following":
                services.edit_following(activity, form.details(), form.start_time.data, form.duration)
            else:
                services.edit_date(activity, form.details(), form.day.data, form.start_time.data, form.duration)
            return activity

        if _save_activity(edit) is not None:
            return redirect(url_for(".show", activity_id=activity.id))
    return render_template("events/activity_form.html", form=form, activity=activity)


@bp.route("/manage/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
@role_required(*MANAGERS)
def cancel_activity(activity_id):
    """Cancel one date, this and all following dates, or a whole series, after a confirmation."""
    activity = _managed_activity(activity_id)
    form = CancelForm()
    if form.validate_on_submit():
        if activity.series_id and form.scope.data == "following":
            services.cancel_following(activity)
        elif activity.series_id and form.scope.data == "series":
            services.cancel_series(activity.series)
        else:
            services.cancel_date(activity)
        db.session.commit()
        flash(_("The activity is cancelled."), "success")
        return redirect(url_for(".manage"))
    return render_template("events/cancel.html", activity=activity, form=form)


@bp.get("/manage/activities/<int:activity_id>/sign-ups")
@role_required(*MANAGERS)
def sign_ups(activity_id):
    """The door list: tick who came, count walk-ins, sign up someone from the registry."""
    activity = _managed_activity(activity_id)
    # The list names people of the registry: opening it is a view of each one's data.
    record_many(current_user, AuditAction.VIEWED, sorted({
        s.person_id for s in activity.sign_ups if s.person_id and s.status in services.LIVE_STATUSES
    }))
    db.session.commit()
    return _render_sign_ups(activity)


def _render_sign_ups(activity, attendance=None, registry_form=None):
    live = [s for s in activity.sign_ups if s.status in services.LIVE_STATUSES]
    confirmed = [s for s in live if s.status == SignUpStatus.CONFIRMED]
    attendance = attendance or AttendanceForm(confirmed, data={
        "attended": [s.id for s in confirmed if s.attended], "walk_ins": activity.walk_ins})
    query_text = search_text(request.args)
    found = []
    if query_text:
        found = db.session.scalars(scope_to_user(
            sa.select(Person).where(Person.archived_at.is_(None), Person.full_name.icontains(query_text, autoescape=True),
                                    Person.municipality_code == activity.venue.municipality_code)
            .order_by(Person.full_name).limit(REGISTRY_SEARCH_LIMIT),
            Person.municipality_code,
        )).all()
    return render_template(
        "events/sign_ups.html", activity=activity, confirmed=confirmed, by_id={s.id: s for s in confirmed},
        waiting=[s for s in live if s.status == SignUpStatus.WAITLISTED], attendance=attendance,
        registry_form=registry_form or RegistrySignUpForm(), found=found, query_text=query_text,
        friends={person.id: services.active_friend(person) for person in found},
        cancel_form=ConfirmForm(), seats_left=services.seats_left(activity),
    )


@bp.post("/manage/activities/<int:activity_id>/attendance")
@role_required(*MANAGERS)
def record_attendance(activity_id):
    activity = _managed_activity(activity_id)
    confirmed = [s for s in activity.sign_ups if s.status == SignUpStatus.CONFIRMED]
    form = AttendanceForm(confirmed)
    if not form.validate_on_submit():
        return _render_sign_ups(activity, attendance=form)
    services.record_attendance(activity, set(form.attended.data), form.walk_ins.data)
    db.session.commit()
    flash(_("Attendance is saved."), "success")
    return redirect(url_for(".sign_ups", activity_id=activity.id))


@bp.post("/manage/activities/<int:activity_id>/sign-ups")
@role_required(*MANAGERS)
def sign_up_person(activity_id):
    """Sign up someone from the registry (most refugees have no account)."""
    activity = _managed_activity(activity_id)
    form = RegistrySignUpForm()
    if not form.validate_on_submit():
        return _render_sign_ups(activity, registry_form=form)
    person = db.session.get(Person, form.person_id.data) or abort(404)
    require_municipality(person.municipality_code, personal_data=True)
    if form.with_friend.data:
        records = _step(lambda: services.sign_up_friends(activity.id, person, by=current_user))
    else:
        records = _step(lambda: [services.sign_up(activity.id, 1 + form.extra.data, person=person, by=current_user)])
    for record in records or ():
        flash(_("The sign-up is now: %(status)s.", status=record.status_title), "success")
    return redirect(url_for(".sign_ups", activity_id=activity.id))


@bp.post("/manage/sign-ups/<int:sign_up_id>/cancel")
@role_required(*MANAGERS)
def cancel_sign_up(sign_up_id):
    record = db.session.get(SignUp, sign_up_id) or abort(404)
    activity = _managed_activity(record.activity_id)
    if ConfirmForm().validate_on_submit():
        services.cancel_sign_up(record)
        db.session.commit()
        flash(_("The sign-up is cancelled."), "success")
    return redirect(url_for(".sign_ups", activity_id=activity.id))


# Managers: attendance over time ------------------------------------------------


def _attendance(form, venues):
    ids = [v.id for v in venues if form.chosen("venue") in (0, v.id)]
    first_month = today_local().replace(day=1) - relativedelta(months=form.chosen("months") - 1)
    since = services.local_instant(first_month, time(0))
    return attendance.attendance_rows(ids, since, form.chosen("category") or None)


@bp.get("/manage/attendance")
@role_required(*MANAGERS)
def attendance_report():
    """Who came, per month, venue and category: a small chart and a table."""
    venues = _managed_venues()
    form = AttendanceFilterForm(venues)
    rows = _attendance(form, venues)
    return render_template("events/attendance.html", form=form, rows=rows, category_titles=CATEGORIES,
                           totals=attendance.monthly_totals(rows))


@bp.get("/manage/attendance.csv")
@role_required(*MANAGERS)
def attendance_csv():
    venues = _managed_venues()
    form = AttendanceFilterForm(venues)
    headers = [_("Month"), _("Place"), _("Kind"), _("Dates"), _("Seats signed up"), _("Came (signed up)"),
               _("Walk-ins"), _("Came in all")]
    content = attendance.attendance_csv(_attendance(form, venues), headers, lambda key: str(CATEGORIES[key]))
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendance-{today_local().isoformat()}.csv"'})
