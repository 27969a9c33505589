from flask import render_template
from flask_login import current_user

from app.main import bp
from app.municipalities.services import municipalities_for


@bp.route("/")
def index():
    """Show visitors a welcome and each logged-in user the home page of their role."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template(
        "main/home.html", municipalities=municipalities_for(current_user)
    )
