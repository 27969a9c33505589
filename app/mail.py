"""Writing an e-mail in the recipient's language, and handing it to SMTP.

Nothing here is called by a request directly: a request queues the message in
the outbox (app/outbox) and the scheduler's delivery job sends it. The small
smtplib sender is all the project needs; retries and back-off live in the
outbox, where they survive a restart.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale


#: Errors that say the mail server itself cannot be reached, not that one message was refused.
SERVER_UNREACHABLE = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def render(template, locale, **context):
    """Render a text template in `locale`; return (subject, body).

    The template's first line is the subject, the rest the body.
    """
    with force_locale(locale):
        subject, body = render_template(template, **context).split("\n", 1)
    return subject.strip(), body.lstrip("\n")


def build_message(to, subject, body):
    """A plain-text message from the configured sender to one address."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(to, subject, body):
    """Send one message over SMTP, or, without MAIL_SERVER, write it readably to the log.

    SMTP errors propagate so the outbox can count the attempt and retry.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # The decoded text, not the MIME form, so a link is not broken by line wrapping.
        current_app.logger.info("E-mail not sent (no MAIL_SERVER)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(build_message(to, subject, body))
