"""The audit log as managers (their own people) and administrators (everyone) read it; nothing edits it.

Also `render_showing`, for other features' pages that list people.
"""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app.audit.forms import AuditFilterForm
from app.audit.services import AuditFilter, entries_of, entries_page, record_viewed
from app.auth.models import Role, User
from app.extensions import db
from app.forms import integer_arg
from app.people.models import Person
from app.permissions import require_municipality, role_required

bp = Blueprint("audit", __name__)


def render_showing(people, template, **context):
    """Render a page that shows `people` (a list names them), logging it as a view of each one's data.

    One insert for the page, committed after rendering: a commit before it
    would expire the people loaded for the page and reload each one with a
    query of its own.
    """
    record_viewed(current_user, *people)
    page = render_template(template, **context)
    db.session.commit()
    return page


@bp.route("/people/<int:person_id>/audit")
@role_required("admin", "manager")
def person_log(person_id):
    """Everything recorded about one person, for their manager."""
    person = db.session.get(Person, person_id) or abort(404)
    require_municipality(person.municipality_code, personal_data=True)
    return render_template("audit/person_log.html", person=person, entries=entries_of(person.id))


@bp.route("/admin/audit")
@role_required("admin")
def index():
    """The whole log, filtered by user, person, action and dates, newest first."""
    users = db.session.scalars(
        sa.select(User).where(User.role.in_([Role.ADMIN, Role.MANAGER, Role.HEAD_OFFICE])).order_by(User.full_name)
    ).all()
    form = AuditFilterForm(request.args, users)
    valid = form.validate()
    criteria = AuditFilter(
        user_id=form.user.data or None, person_id=form.person.data, action=form.action.data or None,
        since=form.since.data, until=form.until.data,
    ) if valid else AuditFilter()
    entries, older = entries_page(
        criteria, current_app.config["PER_PAGE"], before=integer_arg("before")
    )
    return render_template("audit/index.html", form=form, entries=entries, older=older)
