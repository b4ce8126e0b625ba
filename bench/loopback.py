"""A real gunicorn on loopback, for the load test (bench/load.py) and the fault tests
(tests/core/test_faults_postgres.py): start it, ask it pages as a signed-in person, stop it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
# As behind the TLS reverse proxy of docs/exploitation.md (with DEBUG off, plain HTTP redirects).
HEADERS = {"X-Forwarded-Proto": "https"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookie(user):
    """The Cookie header of a session opened for `user` in the database gunicorn reads (both
    processes must share SECRET_KEY)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, cookie=""):
    """(status, body) of a GET, redirects not followed (a lost session shows as a 302)."""
    request = urllib.request.Request(url, headers={**HEADERS, "Cookie": cookie})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@contextlib.contextmanager
def gunicorn(env, workers=1, timeout=30):
    """Yields the base URL of a gunicorn serving config.wsgi with `env`; always stopped, with its
    whole process group, however the block ends. Its output goes to a temporary log quoted when
    it fails to start."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(
                            f"gunicorn n'écoute pas sur le port {port} :\n{log.read()[-3000:]}"
                        ) from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
