"""gunicorn settings for production; `gunicorn` in this folder reads them.

Each setting comes from an environment variable with a default that suits a
small server behind nginx. Compression is done by the app itself, and which
proxy headers to believe is the app's TRUSTED_PROXIES setting, so gunicorn is
told to believe none on its own.
"""
import faulthandler
import os

# A worker that crashes in C code (SIGSEGV) writes every thread's Python stack to the error log
# first; workers are forked from this process and keep the handler.
faulthandler.enable()

wsgi_app = "wsgi:app"
#: Address to listen on; the reverse proxy forwards to it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Worker processes; about one or two per CPU core.
workers = int(os.environ.get("GUNICORN_WORKERS", 2))
#: Threads per worker, so a slow request (an import, an export) does not hold up the rest.
threads = int(os.environ.get("GUNICORN_THREADS", 4))
#: Seconds a request may take before its worker is restarted (imports of large files need time).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
#: Access and error log to standard output and error, where systemd's journal collects them.
accesslog = "-"
errorlog = "-"
#: None of gunicorn's own reading of X-Forwarded-Proto: TRUSTED_PROXIES decides in the app.
secure_scheme_headers = {}


def post_worker_init(worker):
    """Once a worker has loaded the app: the garbage collector's settings for a server (see settle_worker)."""
    from app.serving import settle_worker

    settle_worker()
