"""Agreement documents on disk: checked by their content, stored outside static/.

Files live under the instance folder (or AGREEMENT_DOCUMENTS_DIR) with
random names, so no URL reaches them except the download view, which checks
who is asking. The kind is read from the bytes, never from the file name: a
PDF starts with "%PDF-", a DOCX is a ZIP holding word/document.xml.
"""
import io
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

#: Largest document accepted; signed agreements are a few pages.
MAX_BYTES = 5 * 1024 * 1024
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class DocumentRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def kind_of(content):
    """Return "pdf" or "docx" from the file's bytes, or raise DocumentRefused."""
    if len(content) > MAX_BYTES:
        raise DocumentRefused(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
    raise DocumentRefused(_l("Only PDF and Word (DOCX) documents can be attached."))


def folder():
    path = Path(current_app.config["AGREEMENT_DOCUMENTS_DIR"] or Path(current_app.instance_path) / "agreements")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(content):
    """Store the bytes under a fresh random name; return that name."""
    name = secrets.token_hex(16)
    (folder() / name).write_bytes(content)
    return name


def path_of(document):
    return folder() / document.stored_name


def remove(document):
    path_of(document).unlink(missing_ok=True)
