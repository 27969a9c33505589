"""Serving in production: gunicorn, reverse proxies, compression, cacheable static files."""
import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import brotli
import pytest
from flask import request, url_for

from app import create_app
from app.auth.models import Role
from app.serving import STATIC_MAX_AGE, content_hash

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP_CSS = "vendor/bootstrap-5.3.9/css/bootstrap.min.css"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_production_app(app, database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "APP_CONFIG": "production",
        "SECRET_KEY": "a-long-random-production-secret-0123456789",
        "SERVER_NAME": f"127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch = urllib.request.Request(
                    f"http://127.0.0.1:{port}/auth/login", headers={"Accept-Encoding": "br"}
                )
                with urllib.request.urlopen(fetch, timeout=5) as response:
                    body = brotli.decompress(response.read()).decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not answer:\n{log.read()}")
                time.sleep(0.2)
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "br"
        assert 'name="password"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "GET /auth/login" in (tmp_path / "gunicorn.log").read_text()  # the access log


def client_address_app(database_url, trusted_proxies):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": trusted_proxies})

    @app.get("/_client")
    def client_address():
        return f"{request.remote_addr} {request.scheme}"

    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_by_default(database_url):
    client = client_address_app(database_url, 0).test_client()
    assert client.get("/_client", headers=FORWARDED).text == "127.0.0.1 http"


def test_forwarded_headers_are_believed_behind_a_trusted_proxy(database_url):
    client = client_address_app(database_url, 1).test_client()
    assert client.get("/_client", headers=FORWARDED).text == "203.0.113.7 https"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("path, marker", [("/auth/login", "<html"), (f"/static/{BOOTSTRAP_CSS}", "Bootstrap")])
def test_responses_are_compressed(client, encoding, path, marker):
    response = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert marker in DECODE[encoding](response.get_data()).decode()


def test_uncompressed_for_a_client_that_takes_no_compression(client):
    response = client.get("/auth/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.text


def test_static_urls_name_their_content_and_are_cached_for_a_year(client):
    page = client.get("/auth/login", headers={"Accept-Encoding": "identity"}).text
    [url] = re.findall(rf'href="(/static/{re.escape(BOOTSTRAP_CSS)}\?v=[0-9a-f]{{12}})"', page)
    assert url.endswith(content_hash((ROOT / "app/static" / BOOTSTRAP_CSS).read_bytes()))

    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.immutable
    assert response.cache_control.max_age == STATIC_MAX_AGE
    response.close()


def test_a_static_url_without_the_current_hash_is_not_cached_for_long(client):
    response = client.get(f"/static/{BOOTSTRAP_CSS}?v=000000000000")
    assert response.status_code == 200
    assert not response.cache_control.immutable
    response.close()


def test_new_content_gets_a_new_url(app, tmp_path, monkeypatch):
    """A release that changes a file changes its URL; the same bytes keep it."""
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    css = tmp_path / "site.css"

    def url_after_writing(content, mtime):
        css.write_text(content)
        os.utime(css, (mtime, mtime))
        return url_for("static", filename="site.css")

    first = url_after_writing("body { color: black }", 1_700_000_000)
    assert first == f"http://localhost/static/site.css?v={content_hash(b'body { color: black }')}"
    assert url_after_writing("body { color: navy }", 1_700_000_100) != first
    assert url_after_writing("body { color: black }", 1_700_000_200) == first


def test_typing_login_leads_to_the_login_page(client):
    response = client.get("/login?next=/people/refugees")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/people/refugees"


def test_pages_that_may_hold_a_visitors_secret_are_not_compressed(client, login_as, make_person):
    """BREACH reads secrets from compressed lengths: a logged-in user's pages, personal links and answers
    to a POST go uncompressed; static files stay compressed for everyone."""
    compressed = {"Accept-Encoding": "br, gzip"}
    assert client.get("/auth/login", headers=compressed).headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in client.post("/auth/login", data={"login": "x"}, headers=compressed).headers
    assert "Content-Encoding" not in client.get("/activities/sign-ups/not-a-token", headers=compressed).headers
    login_as(Role.MANAGER, ["Aarhus"])
    make_person(full_name="Amal Haddad")
    for path in ("/", "/people/refugees", "/activities"):
        response = client.get(path, headers=compressed)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, path
    assert "Amal Haddad" in client.get("/people/refugees", headers=compressed).text
    assert client.get(f"/static/{BOOTSTRAP_CSS}", headers=compressed).headers["Content-Encoding"] == "br"


def test_a_gunicorn_worker_settles_the_garbage_collector_after_loading_the_app():
    import gc
    import runpy
    from pathlib import Path

    from app.serving import GC_YOUNG_ALLOCATIONS

    settings = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_threshold()[0] == GC_YOUNG_ALLOCATIONS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
