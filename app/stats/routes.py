"""The coverage dashboard and map (head office, admins) and the public open data."""
import time

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from app.agreements.models import AGREEMENT_STATUS_TITLES, AgreementStatus
from app.auth.models import Organisation
from app.extensions import db
from app.forms import options
from app.permissions import role_required
from app.serving import content_hash
from app.stats import chart, opendata
from app.stats.choropleth import MAP_FIGURES, colour
from app.stats.display import count_html
from app.stats.figures import coverage
from app.stats.forms import CHART_MONTHS, DashboardFilterForm
from app.stats.mapshapes import geometry
from app.stats.services import SORT_KEYS, build_dashboard, sort_rows, table_csv
from app.timeutil import today_local

bp = Blueprint("stats", __name__)


@bp.app_template_global()
def agreement_status_title(status):
    return AGREEMENT_STATUS_TITLES[AgreementStatus(status)]


bp.add_app_template_filter(count_html, "count")


def _filters():
    form = DashboardFilterForm(request.args)
    organisations = db.session.execute(sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    form.organisation.choices = options([(0, _l("All organisations"))] + [tuple(o) for o in organisations])
    form.months.choices = options([(n, _l("%(num)d months", num=n)) for n in CHART_MONTHS])
    form.figure.choices = options(list(MAP_FIGURES.items()))
    form.validate()
    today = today_local()
    as_of = form.as_of.data if not form.as_of.errors and form.as_of.data else today
    return form, {
        "as_of": min(as_of, today),
        "organisation_id": form.organisation.data if not form.organisation.errors else 0,
        "months": form.months.data if form.months.data in CHART_MONTHS else CHART_MONTHS[0],
    }


@bp.route("/stats/")
@role_required("admin", "head_office")
def dashboard():
    form, chosen = _filters()
    data = build_dashboard(chosen["as_of"], today_local(), chosen["organisation_id"], chosen["months"])
    figure = form.figure.data if form.figure.data in MAP_FIGURES else "operating"
    sort = request.args.get("sort", "name")
    descending = request.args.get("order") == "desc"
    # Each municipality is linked from the map, its table and the shortage table: build each link once.
    links = {m.code: url_for("stats.municipality", code=m.code) for m in data.current.municipalities}
    return render_template(
        "stats/dashboard.html",
        form=form,
        data=data,
        figure=figure,
        figure_title=MAP_FIGURES[figure],
        chart=chart.bars(data.months),
        chart_size=(chart.WIDTH, chart.HEIGHT),
        colouring=colour(figure, data.current.municipalities),
        geometry=geometry(),
        regions=sort_rows(data.current.regions, sort, descending),
        municipalities=sort_rows(data.current.municipalities, sort, descending),
        sort=sort if sort in SORT_KEYS else "name",
        descending=descending,
        today=today_local(),
        links=links,
    )


@bp.route("/stats/<any(regions, municipalities, shortage, months):table>.csv")
@role_required("admin", "head_office")
def table_export(table):
    _, chosen = _filters()
    data = build_dashboard(chosen["as_of"], today_local(), chosen["organisation_id"], chosen["months"])
    filename = f"coverage-{table}-{chosen['as_of'].isoformat()}.csv"
    return _csv(table_csv(table, data), filename)


def _csv(text, filename):
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


#: Open data may be this many seconds old in caches and other tools.
OPEN_DATA_MAX_AGE = 300


def _open(response):
    """Readable from any web page, cacheable for a few minutes, and revalidated by its ETag after that."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = OPEN_DATA_MAX_AGE
    response.set_etag(content_hash(response.get_data()), weak=True)
    return response.make_conditional(request)


def _open_data(kind, build):
    """Return today's open data of `kind`, computed at most once per OPEN_DATA_CACHE_SECONDS in this process.

    The figures are grouped SQL over the whole country (about 150 ms on
    PostgreSQL with national data); visitors and tools asking within the
    same few minutes get the same text, as a proxy honouring max-age would
    give them. A new day computes anew at once.
    """
    today = today_local()
    seconds = current_app.config["OPEN_DATA_CACHE_SECONDS"]
    cache = current_app.extensions.setdefault("open_data", {})
    expires, text = cache.get((kind, today), (0, None))
    if text is None or time.monotonic() >= expires:
        text = build(coverage(today, today))
        if seconds:
            for old in [key for key in cache if key[1] != today]:
                del cache[old]
            cache[(kind, today)] = (time.monotonic() + seconds, text)
    return today, text


@bp.route("/coverage.json")
def coverage_json():
    """Public open data (a contract): today's coverage with every small count suppressed."""
    _, text = _open_data("json", lambda figures: current_app.json.dumps(opendata.as_json(figures)))
    return _open(current_app.response_class(text, mimetype="application/json"))


@bp.route("/coverage.csv")
def coverage_csv():
    """Public open data: one row per municipality, the same fields as the JSON's entries."""
    today, text = _open_data("csv", opendata.as_csv)
    return _open(_csv(text, f"coverage-{today.isoformat()}.csv"))


@bp.route("/stats/municipality/<int:code>")
@role_required("admin", "head_office")
def municipality(code):
    """One municipality's figures, where the map's links lead."""
    today = today_local()
    rows = {m.code: m for m in coverage(today, today).municipalities}
    row = rows.get(code) or abort(404)
    return render_template("stats/municipality.html", row=row, today=today)
