"""`flask refdata load`: put the committed reference data in the database."""
import click
from flask.cli import AppGroup

from app.extensions import db
from app.municipalities.refdata import load_reference_data

refdata_cli = AppGroup("refdata", help="Reference data: regions, municipalities, postcodes.")


@refdata_cli.command("load")
def load_command():
    """Load or update reference data; running it twice changes nothing."""
    changes = load_reference_data()
    db.session.commit()
    click.echo(
        "Reference data: {regions} regions, {municipalities} municipalities, "
        "{postcode_areas} postcode areas added or changed.".format(**changes)
    )
