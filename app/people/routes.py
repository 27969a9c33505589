"""Manager pages for refugees and volunteers: thin views over services and queries."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from app.audit.forms import ExportReasonForm
from app.audit.models import AuditAction
from app.audit.routes import render_showing
from app.audit.services import record, record_selected
from app.auth.services import normalise_phone
from app.extensions import db, requested_page
from app.forms import ConfirmForm, integer_arg, search_text
from app.i18n import language_name as interface_language_name
from app.i18n.lists import format_list
from app.i18n.names import viewer_locale
from app.municipalities.services import municipalities_for
from app.people import access, exporting, importing, merging, services, uploads
from app.people.columns import columns_for
from app.people.forms import (
    ConfirmImportForm,
    ConsentForm,
    ImportForm,
    NewRefugeeForm,
    NewVolunteerForm,
    PeopleFilterForm,
    RefugeeForm,
    StatusForm,
    VolunteerForm,
)
from app.people.languages import LEVEL_TITLES
from app.people.models import (
    AVAILABILITY_TITLES,
    CONSENT_PURPOSE_TITLES,
    GENDER_TITLES,
    Person,
    Refugee,
    Volunteer,
    VolunteerStatus,
)
from app.people.queries import (
    SORTS,
    PeopleFilter,
    find_duplicates,
    keyset_page,
    people_page,
    people_query,
    waiting_counts,
    waiting_list,
)
from app.permissions import require_municipality, role_required
from app.signals import answers, person_page_sections
from app.timeutil import today_local

bp = Blueprint("people", __name__, url_prefix="/people")

KINDS = {"refugees": "refugee", "volunteers": "volunteer"}
MODELS = {"refugee": Refugee, "volunteer": Volunteer}
NEW_FORMS = {"refugee": NewRefugeeForm, "volunteer": NewVolunteerForm}
EDIT_FORMS = {"refugee": RefugeeForm, "volunteer": VolunteerForm}


@bp.app_context_processor
def people_titles():
    """Titles of the people registry's choices, for templates."""
    return {
        "interface_language_name": interface_language_name,
        "gender_title": lambda value: GENDER_TITLES.get(value, "–") if value else "–",
        "level_title": LEVEL_TITLES.get,
        "availability_title": AVAILABILITY_TITLES.get,
        "consent_purposes": CONSENT_PURPOSE_TITLES,
    }


@bp.before_request
@role_required("admin", "manager")
def staff_with_personal_data_only():
    """Only managers (in their municipalities) and admins see people."""


def _kind(plural):
    return KINDS.get(plural) or abort(404)


def get_person(person_id):
    """The person, if the current user may see their data (404 or 403 otherwise); also for privacy's pages."""
    person = db.session.get(Person, person_id) or abort(404)
    require_municipality(person.municipality_code, personal_data=True)
    return person


def get_editable_person(person_id):
    """The person for a page that changes their record; an erased person's record is read-only."""
    person = get_person(person_id)
    if person.erased_at is not None:
        flash(_("This person's data has been erased; the record can no longer be changed."), "warning")
        abort(redirect(url_for("people.detail", person_id=person.id)))
    return person


@bp.route("/<any(refugees, volunteers):plural>")
def index(plural):
    kind = _kind(plural)
    municipalities = municipalities_for(current_user)
    filters = PeopleFilterForm(request.args, kind, municipalities)
    page = people_page(
        MODELS[kind], current_user, filters.criteria(), current_app.config["PER_PAGE"],
        page=requested_page(), after=integer_arg("after"),
        before=integer_arg("before"),
    )
    # A list names its people (name, birth year, postcode): a page of it is a view of each one's data.
    return render_showing(
        page.items, "people/index.html", kind=kind, plural=plural, page=page, filters=filters, today=today_local()
    )


@bp.route("/<any(refugees, volunteers):plural>/new", methods=["GET", "POST"])
def new(plural):
    """Register a person; possible duplicates are shown first and the manager decides.

    "Check for duplicates" looks up what has been typed so far (a name is
    enough) without saving; a first submit that fails validation shows the
    candidates beside the errors.
    """
    kind = _kind(plural)
    form = NEW_FORMS[kind](municipalities=municipalities_for(current_user))
    duplicates, checked = [], False
    if request.method == "POST" and request.form.get("check_duplicates"):
        checked, duplicates = True, _duplicates_of(kind, form)
    elif form.validate_on_submit():
        if not form.save_anyway.data:
            duplicates = _duplicates_of(kind, form)
        if not duplicates:
            person, unmatched = services.create_person(kind, form.profile_data(), current_user)
            db.session.commit()
            _flash_saved(person, unmatched)
            return redirect(url_for("people.detail", person_id=person.id))
    elif request.method == "POST" and not form.save_anyway.data:
        duplicates = _duplicates_of(kind, form)
    if duplicates:
        form.save_anyway.data = "1"
    return render_showing(
        [d.person for d in duplicates], "people/form.html", form=form, kind=kind, plural=plural, person=None,
        duplicates=duplicates, checked=checked,
    )


def _duplicates_of(kind, form):
    """Possible duplicates of what the manager has typed so far, valid or not.

    Without a chosen municipality, every municipality the manager manages is searched.
    """
    chosen = form.municipality_code.data
    codes = [chosen] if chosen in form.allowed_municipalities else list(form.allowed_municipalities)
    phone = normalise_phone(form.phone.data) if form.phone.data else None
    email = (form.email.data or "").strip().lower() or None
    return [
        duplicate for code in codes
        for duplicate in find_duplicates(
            kind, code, form.full_name.data, form.latin_name.data, form.birth_year.data, phone, email
        )
    ]


def _flash_saved(person, unmatched):
    flash(_("The person is saved."), "success")
    if unmatched:
        flash(
            _("These interests matched nothing in the list and were left out: %(interests)s",
              interests=format_list(unmatched)),
            "warning",
        )


@bp.route("/<int:person_id>")
def detail(person_id):
    person = get_person(person_id)
    duplicates = _applicant_duplicates(person)
    return render_showing(
        [person, *(d.person for d in duplicates)],
        "people/detail.html",
        person=person,
        duplicates=duplicates,
        sections=answers(person_page_sections, person),
        held_reason=services.held_reason(person),
        status_form=StatusForm(person=person),
        consent_form=ConsentForm(),
        today=today_local(),
    )


def _applicant_duplicates(person):
    """For a volunteer who applied on the public form: who they may already be.

    The public form never tells an applicant that they are known; the
    manager sees it here and can fold the application into the existing record.
    """
    if person.status != VolunteerStatus.APPLICANT:
        return []
    return find_duplicates(
        person.kind, person.municipality_code, person.full_name, person.latin_name,
        person.birth_year, person.phone, person.email, exclude_id=person.id,
    )


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id):
    person = get_editable_person(person_id)
    form = EDIT_FORMS[person.kind](obj=person, municipalities=municipalities_for(current_user))
    if request.method == "GET":
        _fill_edit_form(form, person)
    if form.validate_on_submit():
        unmatched = services.edit_profile(person, form.profile_data(), current_user)
        db.session.commit()
        _flash_saved(person, unmatched)
        return redirect(url_for("people.detail", person_id=person.id))
    plural = "refugees" if person.kind == "refugee" else "volunteers"
    return render_template(
        "people/form.html", form=form, kind=person.kind, plural=plural, person=person, duplicates=[]
    )


def _fill_edit_form(form, person):
    """Put the person's related rows into the form's lists."""
    form.gender.data = person.gender or ""
    form.wants_gender.data = person.wants_gender or ""
    form.interests.data = person.interest_keys
    for entry, language in zip(form.languages, person.languages):
        entry.code.data, entry.level.data = language.code, language.level
    if person.kind == "refugee":
        form.children_birth_years.data = ", ".join(str(c.birth_year) for c in person.household_children)
    else:
        for entry, member in zip(form.family_members, person.family_members):
            entry.form.name.data, entry.form.birth_year.data = member.name, member.birth_year
        for entry, training in zip(form.trainings, person.trainings):
            entry.form.course.data, entry.form.completed_on.data = training.course, training.completed_on


@bp.post("/<int:person_id>/status")
def change_status(person_id):
    person = get_editable_person(person_id)
    form = StatusForm(person=person)
    if form.validate_on_submit():
        try:
            services.change_status(person, form.status.data, current_user, form.note.data)
        except services.PersonHeld as held:
            flash(held.message, "warning")
            return redirect(url_for("people.detail", person_id=person.id))
        db.session.commit()
        flash(_("The status is now: %(status)s.", status=person.status_title), "success")
    else:
        flash(_("The status was not changed. Choose a new status."), "danger")
    return redirect(url_for("people.detail", person_id=person.id))


@bp.post("/<int:person_id>/consent")
def consent(person_id):
    person = get_editable_person(person_id)
    form = ConsentForm()
    if form.validate_on_submit():
        services.record_consent(
            person, form.purpose.data, form.given.data == "yes", form.method.data, current_user
        )
        db.session.commit()
        flash(_("The consent is recorded."), "success")
    return redirect(url_for("people.detail", person_id=person.id, _anchor="consent"))


@bp.route("/<int:person_id>/archive", methods=["GET", "POST"])
def archive(person_id):
    person = get_editable_person(person_id)
    reason = services.held_reason(person) if person.archived_at is None else None
    if reason:
        flash(reason, "warning")
        return redirect(url_for("people.detail", person_id=person.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        if person.archived_at is None:
            services.archive(person, current_user)
            flash(_("The person is archived."), "success")
        else:
            services.restore(person, current_user)
            flash(_("The person is back in the lists."), "success")
        db.session.commit()
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("people/confirm_archive.html", form=form, person=person)


@bp.route("/waiting")
def waiting():
    counts = waiting_counts(current_user)
    page = keyset_page(
        waiting_list(current_user), SORTS["waiting"], current_app.config["PER_PAGE"],
        after=integer_arg("after"), before=integer_arg("before"),
        total=sum(count for _, count in counts),
    )
    return render_showing(page.items, "people/waiting.html", page=page, counts=counts, today=today_local())


FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(content, name, file_format):
    response = make_response(content)
    response.headers["Content-Type"] = FILE_TYPES[file_format]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _reason_page(title, back):
    """Ask why personal data are exported; the download is the same address, posted with the reason."""
    return render_template("people/export_reason.html", form=ExportReasonForm(), title=title, back=back)


@bp.route("/<any(refugees, volunteers):plural>/export.<any(csv, xlsx):file_format>", methods=["GET", "POST"])
def export(plural, file_format):
    """Ask for a reason, then stream the listed people; each of them gets an entry in the audit log."""
    kind = _kind(plural)
    form = ExportReasonForm()
    if not form.validate_on_submit():
        return _reason_page(_("Export the list"), url_for("people.index", plural=plural, **request.args))
    filters = PeopleFilterForm(request.args, kind, municipalities_for(current_user))
    model = MODELS[kind]
    query = people_query(model, current_user, filters.criteria())
    logged = record_selected(current_user, AuditAction.EXPORTED, query.with_only_columns(model.id), form.reason.data)
    ids = exporting.person_ids(query.where(model.id.in_(logged)), model)
    exporting.record_export(kind, file_format, current_user, len(ids))
    db.session.commit()
    name = f"{plural}-{today_local().isoformat()}.{file_format}"
    if file_format == "xlsx":
        return send_file(
            exporting.xlsx_file(kind, ids, viewer_locale()),
            mimetype=FILE_TYPES[file_format], as_attachment=True, download_name=name,
        )
    app = current_app._get_current_object()
    response = Response(exporting.csv_chunks(app, kind, ids, viewer_locale()))
    response.headers["Content-Type"] = FILE_TYPES[file_format]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


ACCESS_FILES = {"json": ("application/json", access.as_json), "html": ("text/html; charset=utf-8", access.as_html)}


@bp.route("/<int:person_id>/data.<any(json, html):data_format>", methods=["GET", "POST"])
def data(person_id, data_format):
    """A person's complete data in their language, for them (right of access and portability)."""
    person = get_person(person_id)
    form = ExportReasonForm()
    if not form.validate_on_submit():
        return _reason_page(_("Download all data about this person"), url_for("people.detail", person_id=person.id))
    mimetype, render = ACCESS_FILES[data_format]
    content = render(person)
    record(current_user, AuditAction.EXPORTED, person.id, reason=form.reason.data)
    db.session.commit()
    response = make_response(content)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="person-{person.id}.{data_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<any(refugees, volunteers):plural>/import/template.<any(csv, xlsx):file_format>")
def import_template(plural, file_format):
    content = exporting.template(_kind(plural), file_format, viewer_locale())
    return _download(content, f"{plural}-template", file_format)


@bp.route("/<any(refugees, volunteers):plural>/import", methods=["GET", "POST"])
def import_file(plural):
    """Upload a file and see the dry run; nothing is written yet."""
    kind = _kind(plural)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            preview = importing.preview_import(
                kind, upload.filename, content, municipalities_for(current_user)
            )
        except importing.ImportFileError as error:
            form.file.errors.append(error.message)
        else:
            token = uploads.keep(current_user, upload.filename, content) if preview.ok else None
            return render_template(
                "people/import_preview.html", preview=preview, plural=plural,
                confirm=ConfirmImportForm(token=token),
            )
    return render_template(
        "people/import.html", form=form, plural=plural, kind=kind, columns=columns_for(kind),
        locale=viewer_locale(),
    )


@bp.post("/<any(refugees, volunteers):plural>/import/confirm")
def confirm_import(plural):
    """Write the checked file in one transaction, checking it once more first."""
    kind = _kind(plural)
    form = ConfirmImportForm()
    stored = uploads.load(current_user, form.token.data) if form.validate_on_submit() else None
    if stored is None:
        flash(_("The checked file is gone. Upload it again."), "warning")
        return redirect(url_for("people.import_file", plural=plural))
    preview = importing.preview_import(kind, *stored, municipalities_for(current_user))
    if not preview.ok:
        return render_template(
            "people/import_preview.html", preview=preview, plural=plural, confirm=None
        )
    count = importing.commit_import(preview, current_user)
    db.session.commit()
    uploads.discard(current_user, form.token.data)
    flash(ngettext("%(num)d person is imported.", "%(num)d people are imported.", count), "success")
    return redirect(url_for("people.index", plural=plural, sort="newest"))


@bp.route("/<int:person_id>/merge")
def merge_candidates(person_id):
    """Choose the record to merge into this one: likely duplicates first, or search."""
    person = get_editable_person(person_id)
    duplicates = find_duplicates(
        person.kind, person.municipality_code, person.full_name, person.latin_name,
        person.birth_year, person.phone, person.email, exclude_id=person.id,
    )
    text = search_text(request.args)
    found = []
    if text:
        query = people_query(MODELS[person.kind], current_user, PeopleFilter(text=text))
        found = [p for p in db.session.scalars(query.limit(20)) if p.id != person.id]
    return render_showing(
        [person, *(d.person for d in duplicates), *found],
        "people/merge_candidates.html", person=person, duplicates=duplicates, found=found, q=text,
    )


@bp.route("/<int:person_id>/merge/<int:other_id>", methods=["GET", "POST"])
def merge(person_id, other_id):
    """Confirm, then fold the other record into this one."""
    person, other = get_editable_person(person_id), get_editable_person(other_id)
    if person.kind != other.kind or person.id == other.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            merging.merge_people(person, other, current_user)
        except merging.MergeError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The two records are merged into one."), "success")
        return redirect(url_for("people.detail", person_id=person.id))
    return render_showing([person, other], "people/confirm_merge.html", form=form, person=person, other=other)
