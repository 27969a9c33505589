"""Suggestions, proposals, the lifecycle of a match and batch matching."""
import re

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.audit.routes import render_showing
from app.audit.services import record_viewed
from app.extensions import db
from app.forms import integer_arg
from app.followup.models import MEETINGS
from app.followup.services import check_ins_of
from app.matches import services
from app.matches.candidates import earlier_matches
from app.matches.queries import scope_matches
from app.matches.forms import AnswerForm, BatchForm, EndForm, ProposeForm, VolunteerSearchForm
from app.matches.models import END_REASONS, MATCH_STATUS_TITLES, Match, MatchStatus
from app.i18n.names import interest_name, viewer_locale
from app.matches.reasons import describe, describe_exclusion
from app.matches.suggesting import batch_preview, suggestions_for, volunteers_to_propose
from app.municipalities.models import Municipality
from app.municipalities.services import municipalities_for
from app.people.models import Person
from app.permissions import require_match, require_municipality, role_required, seen_sides, sees_person

bp = Blueprint("matches", __name__, url_prefix="/matches")


@bp.before_request
@role_required("admin", "manager")
def managers_only():
    """Matching works on personal data: managers in their municipalities, and admins."""


@bp.app_template_filter()
@bp.app_template_global()
def reason_text(reason):
    """One reason in the viewer's language, worded once per request.

    A batch of 2,000 shows 5,400 reasons of which a few hundred differ
    ("You both speak Arabic…"), so each different one is translated once.
    """
    key = (viewer_locale(), reason.code, repr(reason.params))
    worded = g.setdefault("worded_reasons", {})
    if key not in worded:
        worded[key] = describe(reason, key[0], interest_name)
    return worded[key]


bp.add_app_template_global(describe_exclusion)


def _person(person_id, kind):
    person = db.session.get(Person, person_id)
    if person is None or person.kind != kind:
        abort(404)
    require_municipality(person.municipality_code, personal_data=True)
    return person


def _attempt(step, *args):
    """Run a lifecycle step; commit it, or roll back and tell the manager why not."""
    try:
        result = step(*args)
    except services.MatchError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return None
    db.session.commit()
    return result if result is not None else True


def _match(match_id):
    match = db.session.get(Match, match_id) or abort(404)
    require_match(match)
    return match


@bp.route("/")
def index():
    status = request.args.get("status", "")
    query = scope_matches(sa.select(Match))
    if status in set(MatchStatus):
        query = query.where(Match.status == status)
    query = query.options(selectinload(Match.refugee), selectinload(Match.volunteer)).order_by(
        Match.proposed_at.desc()
    )
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    # A partner in another municipality is named by first name only, so not logged (as on the match's page).
    return render_showing(
        [person for match in page.items for person in seen_sides(match)],
        "matches/index.html", page=page, status=status, titles=MATCH_STATUS_TITLES,
    )


def _suggestions_page(refugee, form):
    family_only = request.args.get("family") == "1"
    result = suggestions_for(refugee, current_user, family_only=family_only) if refugee.status == "waiting" else None
    search = VolunteerSearchForm(request.args)
    text = (search.volunteer.data or "") if search.validate() else ""
    found = volunteers_to_propose(refugee, current_user, text, form.volunteer_id.data) if result else []
    ranked = [volunteer for volunteer, score in result.ranked] if result else []
    return render_showing(
        [refugee, *ranked, *found], "matches/suggestions.html", refugee=refugee, result=result,
        family_only=family_only, form=form, search=search, found=found,
    )


@bp.route("/suggestions/<int:refugee_id>")
def suggestions(refugee_id):
    return _suggestions_page(_person(refugee_id, "refugee"), ProposeForm())


@bp.post("/propose/<int:refugee_id>")
def propose(refugee_id):
    refugee = _person(refugee_id, "refugee")
    form = ProposeForm()
    if form.validate_on_submit():
        _person(form.volunteer_id.data, "volunteer")
        match = _attempt(services.propose, refugee.id, form.volunteer_id.data, current_user,
                         form.override_reason.data)
        if match:
            flash(_("The match is proposed. Record each side's answer here."), "success")
            return redirect(url_for("matches.detail", match_id=match.id))
    # Show the page again with what the manager chose and typed.
    return _suggestions_page(refugee, form)


@bp.route("/<int:match_id>")
def detail(match_id):
    match = _match(match_id)
    record_viewed(current_user, *seen_sides(match))
    db.session.commit()
    history = earlier_matches([match.refugee_id]).get((match.refugee_id, match.volunteer_id), [])
    return render_template(
        "matches/detail.html", match=match, answer_form=AnswerForm(), end_reasons=END_REASONS,
        check_ins=check_ins_of(match), meetings=MEETINGS,
        history=[m for m in history if m.id != match.id and m.proposed_at < match.proposed_at],
    )


@bp.post("/<int:match_id>/answer")
def answer(match_id):
    match = _match(match_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for("matches.detail", match_id=match.id))
    if not sees_person(getattr(match, form.side.data)):
        abort(403)  # each manager records the answer of their own person
    if form.answer.data == "yes":
        done = _attempt(services.accept, match, form.side.data, current_user)
    else:
        done = _attempt(services.decline, match, form.side.data, current_user, form.reason.data.strip())
    if done:
        flash(_("The answer is recorded."), "success")
    return redirect(url_for("matches.detail", match_id=match.id))


@bp.route("/<int:match_id>/end", methods=["GET", "POST"])
def end(match_id):
    match = _match(match_id)
    form = EndForm()
    if request.method == "GET" and request.args.get("reason") in END_REASONS:
        form.reason.data = request.args["reason"]  # "withdraw the proposal" from the home page
    if form.validate_on_submit():
        if _attempt(services.end, match, current_user, form.reason.data, form.note.data,
                    form.back_to_waiting.data):
            flash(_("The match has ended."), "success")
        return redirect(url_for("matches.detail", match_id=match.id))
    return render_template("matches/end.html", match=match, form=form)


@bp.route("/batch", methods=["GET", "POST"])
def batch():
    """Preview the optimal proposals for a municipality; propose the ticked ones."""
    municipalities = municipalities_for(current_user)
    code = integer_arg("municipality") or (municipalities[0].code if municipalities else None)
    if code is None:
        abort(404)
    require_municipality(code, personal_data=True)
    municipality = db.session.get(Municipality, code) or abort(404)
    form = BatchForm()
    if form.validate_on_submit():
        return _propose_ticked(form.pairs.data)
    preview = batch_preview(code)
    return render_showing(
        preview.people_shown(), "matches/batch.html", preview=preview, form=form, municipality=municipality,
        municipalities=municipalities,
    )


def _propose_ticked(pairs):
    """Propose each ticked "refugee-volunteer" pair; the lifecycle's rules check each one."""
    proposed, problems = 0, []
    for pair in pairs:
        ids = re.fullmatch(r"([0-9]{1,9})-([0-9]{1,9})", pair)  # ids a database integer holds
        if ids is None:
            abort(400)
        refugee_id, volunteer_id = map(int, ids.groups())
        _person(refugee_id, "refugee")
        _person(volunteer_id, "volunteer")
        try:
            with db.session.begin_nested():
                services.propose(refugee_id, volunteer_id, current_user)
            proposed += 1
        except services.MatchError as error:
            problems.append(str(error.message))
    db.session.commit()
    flash(ngettext("%(num)d match is proposed.", "%(num)d matches are proposed.", proposed), "success")
    for problem in problems:
        flash(problem, "warning")
    return redirect(url_for("matches.index", status="proposed"))
