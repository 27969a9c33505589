"""One small mail service: SMTP when configured, the log otherwise.

Tests read `outbox`, which holds every message sent while TESTING is set.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale


class Mailer:
    def __init__(self, app=None):
        self.outbox = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.extensions["mailer"] = self

    def send(self, to, subject, body):
        """Send a plain-text message to one address."""
        config = current_app.config
        message = EmailMessage()
        message["From"] = config["MAIL_DEFAULT_SENDER"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if config.get("TESTING"):
            self.outbox.append(message)
        elif config.get("MAIL_SERVER"):
            self._send_smtp(message, config)
        else:
            current_app.logger.info("E-mail not sent (no MAIL_SERVER):\n%s", message)

    def send_template(self, to, template, locale, **context):
        """Render a text template in the recipient's language and send it.

        The template's first line is the subject, the rest the body.
        """
        with force_locale(locale):
            subject, body = render_template(template, **context).split("\n", 1)
        self.send(to, subject.strip(), body.lstrip("\n"))

    @staticmethod
    def _send_smtp(message, config):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)


mailer = Mailer()
