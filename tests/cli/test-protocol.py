#!/usr/bin/python3
# test-protocol.py — what mj-archiver-cli puts on the wire, seen by a
# server of a few lines that only records it (not the fake): the protocol
# page's defaults hold without any setting (a listing page of 1,000 jobs,
# the site's CSRF header, the token service's public web API key), and a
# 401 says in --verbose that a missing CSRF header is a cause too.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import Tap, base_env, cli, remove, temp_dir  # noqa: E402

USER = "3c8d3c2e-0a51-4a4e-9c3b-5a1b2c3d4e5f"
FIREBASE_KEY = "AIzaSyAjizp68NsH3JGUS0EyLXsChW4fN0A92tM"  # the protocol page's
tap = Tap()


def jwt(exp):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none'})}.{part({'midjourney_id': USER, 'exp': exp})}.c2ln"


class Recorder(BaseHTTPRequestHandler):
    seen = []          # (method, path, query, headers)
    listing_status = 200

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self):
        url = urlsplit(self.path)
        Recorder.seen.append((self.command, url.path, parse_qs(url.query), dict(self.headers)))
        return url.path

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.record() == "/v1/token":
            self.answer(200, {"id_token": jwt(int(time.time()) + 3600), "refresh_token": "refresh-2",
                              "expires_in": "3600"})
        else:
            self.answer(404, {"message": "Not found"})

    def do_GET(self):
        path = self.record()
        if path in ("/api/imagine", "/api/imagine-update") and Recorder.listing_status == 200:
            self.answer(200, {"data": [], "cursor": None})
        elif path.startswith("/api/"):
            self.answer(Recorder.listing_status, {"message": "Unauthorized"})
        else:
            self.answer(404, {"message": "Not found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"


def env_for(archive_home):
    env = base_env(home=archive_home)
    # An id token past its time: the CLI renews it before it lists.
    env["MIDJOURNEY_COOKIE"] = (f"__Host-Midjourney.AuthUserTokenV3_i={jwt(int(time.time()) - 60)}; "
                                "__Host-Midjourney.AuthUserTokenV3_r=refresh-1")
    env.update({"MJA_API_BASE_URL": base, "MJA_AUTH_BASE_URL": base, "MJA_CDN_BASE_URL": base})
    return env


def defaults_on_the_wire():
    home, archive = temp_dir(), temp_dir()
    try:
        Recorder.seen.clear()
        cli("sync", "--archive", archive, "--connection", "direct", env=env_for(home), check=0)
        token = [r for r in Recorder.seen if r[1] == "/v1/token"]
        assert token and token[0][2].get("key") == [FIREBASE_KEY], Recorder.seen
        listing = [r for r in Recorder.seen if r[1] in ("/api/imagine", "/api/imagine-update")]
        assert listing, Recorder.seen
        assert listing[0][2].get("page_size") == ["1000"], listing[0][2]
        assert listing[0][2].get("user_id") == [USER], listing[0][2]
        headers = {k.lower(): v for k, v in listing[0][3].items()}
        assert headers.get("x-csrf-protection") == "1", headers
        assert "cookie" not in {k.lower() for k in token[0][3]}, "the token service got the site's cookie"
    finally:
        remove(home)
        remove(archive)


def unauthorized_names_csrf():
    home, archive = temp_dir(), temp_dir()
    try:
        Recorder.listing_status = 401
        result = cli("sync", "--archive", archive, "--connection", "direct", "--verbose", env=env_for(home))
        assert result.returncode == 3, (result.returncode, result.stderr)
        assert "x-csrf-protection" in result.stdout + result.stderr, result.stdout + result.stderr
    finally:
        Recorder.listing_status = 200
        remove(home)
        remove(archive)


tap.check("the listing asks 1,000 jobs a page with the CSRF header; the refresh sends the web API key",
          defaults_on_the_wire)
tap.check("a 401 says in --verbose that a missing CSRF header may be the cause", unauthorized_names_csrf)
server.shutdown()
tap.done()
