"""Agreements: the lists, one agreement with its history, editing, documents."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.agreements import documents, services
from app.agreements.forms import AgreementFilterForm, AgreementForm, DocumentForm, NewAgreementForm
from app.agreements.models import Agreement, AgreementDocument
from app.extensions import db
from app.forms import ConfirmForm, integer_arg
from app.municipalities.services import municipalities_for
from app.permissions import require_municipality, role_required
from app.timeutil import today_local

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


@bp.before_request
@role_required("admin", "head_office", "manager")
def staff_only():
    """Agreements hold no personal data of refugees; staff see those of their municipalities."""


def _agreement(agreement_id):
    agreement = db.session.get(
        Agreement, agreement_id,
        options=[selectinload(Agreement.history), selectinload(Agreement.documents)],
    ) or abort(404)
    require_municipality(agreement.municipality_code)
    return agreement


@bp.route("/")
def index():
    filters = AgreementFilterForm(request.args)
    today = today_local()
    query = services.agreements_query(
        current_user, today, municipality_code=integer_arg("municipality", 0), **filters.criteria()
    )
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("agreements/index.html", page=page, filters=filters, today=today,
                           expiring_days=services.EXPIRING_DAYS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewAgreementForm(municipalities=municipalities_for(current_user))
    if request.method == "GET" and integer_arg("municipality"):
        form.municipality_code.data = integer_arg("municipality")
    if form.validate_on_submit():
        require_municipality(form.municipality_code.data)
        try:
            agreement = services.create(
                form.municipality_code.data, form.organisation_id.data, form.details(), current_user
            )
        except services.AgreementExists:
            db.session.rollback()
            form.organisation_id.errors.append(_("This organisation already has an agreement with the municipality."))
        else:
            db.session.commit()
            flash(_("Agreement saved."), "success")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, agreement=None)


@bp.route("/<int:agreement_id>")
def detail(agreement_id):
    agreement = _agreement(agreement_id)
    return render_template("agreements/detail.html", agreement=agreement, upload=DocumentForm(), today=today_local())


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
def edit(agreement_id):
    agreement = _agreement(agreement_id)
    form = AgreementForm(obj=agreement)
    if request.method == "GET":
        form.coordinator_id.data = agreement.coordinator_id or 0
    if form.validate_on_submit():
        services.update(agreement, form.details(), current_user)
        db.session.commit()
        flash(_("Agreement saved."), "success")
        return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, agreement=agreement)


@bp.route("/<int:agreement_id>/documents", methods=["POST"])
def upload(agreement_id):
    agreement = _agreement(agreement_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.attach(agreement, upload.filename or "document", upload.read(documents.MAX_BYTES + 1), current_user)
        except documents.DocumentRefused as refused:
            db.session.rollback()
            form.file.errors.append(str(refused.message))
        else:
            db.session.commit()
            flash(_("Document attached."), "success")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template("agreements/detail.html", agreement=agreement, upload=form, today=today_local()), 400


def _document(document_id):
    document = db.session.get(AgreementDocument, document_id) or abort(404)
    _agreement(document.agreement_id)
    return document


@bp.route("/documents/<int:document_id>")
def download(document_id):
    """Send a document as an attachment, to staff of its municipality only."""
    document = _document(document_id)
    return send_file(
        documents.path_of(document), mimetype=documents.MIMETYPES[document.kind],
        as_attachment=True, download_name=document.filename,
    )


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
def delete_document(document_id):
    document = _document(document_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        agreement_id = document.agreement_id
        services.delete_document(document)
        db.session.commit()
        documents.remove(document)
        flash(_("Document deleted."), "success")
        return redirect(url_for("agreements.detail", agreement_id=agreement_id))
    return render_template("agreements/confirm_delete_document.html", document=document, form=form)
