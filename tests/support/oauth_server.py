#!/usr/bin/env python3
"""A token endpoint for the tests, in place of Microsoft's and Google's
(unreachable from here).  It answers as they do (AADSTS errors, rotating
refresh tokens, service-account assertions, the device flow of RFC 8628),
fails on purpose when a test asks, and mints HS256 JWTs that the test
Dovecot (tests/support/mailstack.sh, MAILSTACK_OAUTH2_KEY_FILE) accepts, so its
tokens sign the agent in to real IMAP and SMTP servers.  Options: see
options().  Writes DIR/oauth.pid, then DIR/oauth.port once listening (both
go at exit; SIGTERM ends it), and a line per request to DIR/oauth.log, where
a token shows only its first 6 characters.  Standard library only (no PyPI
here); RS256 signatures are checked with the openssl command.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
MODES = ("normal", "down", "slow", "500", "503", "429", "notjson", "huge",
         "missing", "badtypes", "negative", "nul")
JSON = "application/json"


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def need(form, *names):
    for name in names:
        if not form.get(name):
            raise OAuthError("invalid_request", "AADSTS900144: The request "
                             "body must contain the following parameter: "
                             "'%s'." % name)


def parse(text):
    """A form; a repeated parameter is an error (RFC 6749, section 3.2)."""
    form = {}
    for name, values in urllib.parse.parse_qs(text, True).items():
        if len(values) > 1:
            raise OAuthError("invalid_request", "'%s' is repeated" % name)
        form[name] = values[0]
    return form


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def short(token):
    """All that the log may show of a token."""
    return token and token[:6] + "..."


def hs256_jwt(key, claims):
    head = b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(key, (head + "." + body).encode(), hashlib.sha256)
    return head + "." + body + "." + b64url(mac.digest())


def public_key_file(pem_path, out):
    """openssl dgst -verify wants a public key: a certificate is turned
    into one once, at start."""
    with open(pem_path, "rb") as f:
        pem = f.read()
    if b"BEGIN CERTIFICATE" in pem:
        pem = subprocess.run(["openssl", "x509", "-pubkey", "-noout"],
                             input=pem, capture_output=True, check=True).stdout
    with open(out, "wb") as f:
        f.write(pem)
    return out


def rs256_valid(pubkey, signed, signature):
    with tempfile.TemporaryDirectory() as tmp:
        data, sig = os.path.join(tmp, "data"), os.path.join(tmp, "sig")
        for path, content in ((data, signed), (sig, signature)):
            with open(path, "wb") as f:
                f.write(content)
        return subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                               pubkey, "-signature", sig, data],
                              capture_output=True).returncode == 0


class State:
    """All the server remembers.  Callers hold .lock."""

    def __init__(self, lifetime):
        self.lock, self.lifetime = threading.Lock(), lifetime
        self.refresh = {}       # token: {"user", "scope", "state"}
        self.devices = {}       # device_code: {"user_code", "state", ...}
        self.mode, self.mode_count, self.mode_seconds = "normal", None, 30.0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"token_requests": 0, "by_grant": {}, "refreshes": 0,
                      "device_polls": 0}

    def take_mode(self):
        """The failure mode of this /token request: K requests use it up."""
        mode = self.mode
        if mode != "normal" and self.mode_count is not None:
            self.mode_count -= 1
            if self.mode_count <= 0:
                self.mode, self.mode_count = "normal", None
        return mode

    def new_refresh(self, user, scope):
        token = secrets.token_urlsafe(32)
        self.refresh[token] = {"user": user, "scope": scope, "state": "live"}
        return token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass    # log_line writes one line per request instead

    def do_GET(self):
        """Every request: route it, answer it, log one line about it."""
        path, _, query = self.path.partition("?")
        self.log_fields, st = {}, self.server.state
        try:
            # Read first: an unread body would be taken for the next
            # request on a kept-alive connection.
            self.body = self.rfile.read(
                max(0, int(self.headers.get("Content-Length") or 0)))
            if path == "/token":
                status, body, ctype, headers = self.token_request()
            elif path in ("/devicecode", "/device_authorization"):
                status, body, ctype, headers = \
                    200, self.device_authorization(self.form()), JSON, []
            elif path.startswith("/control/") and hasattr(
                    self, "ctl_" + path[9:].replace("-", "_")):
                form = parse(query)
                form.update(parse(self.body.decode("utf-8", "replace")))
                self.log_fields["user"] = form.get("user")
                with st.lock:
                    body = getattr(self, "ctl_" + path[9:].replace("-", "_"))(
                        st, form)
                status, ctype, headers = 200, JSON, []
            elif path == "/device":
                status, ctype, headers = 200, "text/html", []
                body = b"<html><body>Enter the code shown.</body></html>\n"
            else:
                raise OAuthError("not_found", "no such endpoint", 404)
            outcome = self.log_fields.pop("outcome", "ok")
        except OAuthError as e:
            status, ctype, headers, outcome = e.status, JSON, [], e.error
            body = {"error": e.error, "error_description": e.description}
        self.log_line(status, outcome)
        if status:
            self.send(status, body, ctype, headers)
        else:
            self.close_connection = True    # mode "down": no answer at all

    do_POST = do_GET

    def log_line(self, status, outcome):
        fields = "".join(" %s=%s" % kv for kv in self.log_fields.items()
                         if kv[1])
        line = "%s %s %s%s -> %d %s\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"), self.command,
            self.path.partition("?")[0], fields, status, outcome)
        with self.server.log_lock:
            self.server.log.write(line)
            self.server.log.flush()

    def send(self, status, body, ctype, headers):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        try:
            self.send_response(status)
            for name, value in [("Content-Type", ctype),
                                ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")] + headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True    # the client gave up

    def form(self):
        """The body of a token or device request."""
        if self.command != "POST":
            raise OAuthError("invalid_request", "use POST", 405)
        if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            raise OAuthError("invalid_request", "Content-Type must be "
                             "application/x-www-form-urlencoded")
        return parse(self.body.decode("utf-8", "replace"))

    # --- /token and /devicecode --------------------------------------

    def token_request(self):
        st = self.server.state
        with st.lock:
            st.stats["token_requests"] += 1
        form = self.form()
        grant = form.get("grant_type")
        self.log_fields.update(grant=grant, rt=short(form.get("refresh_token")))
        with st.lock:
            by = st.stats["by_grant"]
            by[grant or "-"] = by.get(grant or "-", 0) + 1
            mode, pause = st.take_mode(), st.mode_seconds
        if mode in self.server.failures:
            # The grant is not looked at: a broken answer spends nothing.
            self.log_fields["outcome"] = "mode " + mode
            return self.server.failures[mode]
        time.sleep(pause if mode == "slow" else 0)
        grants = {"refresh_token": self.refresh_grant,
                  "client_credentials": self.client_credentials_grant,
                  JWT_BEARER: self.jwt_bearer_grant,
                  DEVICE_CODE: self.device_code_grant}
        need(form, "grant_type")
        if grant not in grants:
            raise OAuthError("unsupported_grant_type",
                             "grant_type '%s' is not supported" % grant)
        answer = grants[grant](form)
        if mode == "negative":
            answer["expires_in"] = -5
        self.log_fields["new_rt"] = short(answer.get("refresh_token"))
        return 200, answer, JSON, []

    def access_token(self, scope, user):
        now, srv = int(time.time()), self.server
        return hs256_jwt(srv.key, {
            "iss": srv.opts.issuer, "sub": user, "email": user, "iat": now,
            "exp": now + srv.state.lifetime, "scope": scope})

    def bearer(self, scope, user, refresh=None):
        """A token answer, once the grant has been checked."""
        self.log_fields["user"] = user
        answer = {"token_type": "Bearer", "scope": scope,
                  "expires_in": self.server.state.lifetime,
                  "access_token": self.access_token(scope, user)}
        if refresh:
            answer["refresh_token"] = refresh
        return answer

    def scope(self, form):
        need(form, "scope")
        scope, allowed = form["scope"], self.server.opts.allowed_scopes
        if not isinstance(scope, str) or (
                allowed is not None and not set(scope.split()) <= allowed):
            raise OAuthError("invalid_scope", "AADSTS70011: The provided "
                             "value for the input parameter 'scope' is not "
                             "valid. The scope '%s' does not exist." % scope)
        return scope

    def refresh_grant(self, form):
        need(form, "client_id", "refresh_token")
        scope, st = self.scope(form), self.server.state
        with st.lock:
            old = st.refresh.get(form["refresh_token"], {"state": "unknown"})
            if old["state"] != "live":
                raise OAuthError("invalid_grant", "AADSTS70000: The refresh "
                                 "token has expired or was revoked (%s)."
                                 % old["state"])
            old["state"] = "spent"      # rotation: the new one replaces it
            new = st.new_refresh(old["user"], scope)
            st.stats["refreshes"] += 1
        return self.bearer(scope, old["user"], new)

    def client_credentials_grant(self, form):
        need(form, "client_id", "client_secret")
        scope = self.scope(form)
        if form["client_secret"] != self.server.opts.client_secret:
            raise OAuthError("invalid_client", "AADSTS7000215: Invalid "
                             "client secret provided.", 401)
        return self.bearer(scope, self.server.opts.app_user)

    def jwt_bearer_grant(self, form):
        need(form, "assertion")
        claims = self.assertion_claims(form["assertion"])
        return self.bearer(self.scope(claims), claims["sub"])

    def assertion_claims(self, assertion):
        """Google's checks of a service account's assertion, in order; the
        first that fails is named in the description."""
        def check(ok, why):
            if not ok:
                raise OAuthError("invalid_grant", "assertion: " + why)
        srv, parts = self.server, assertion.split(".")
        try:
            head, claims = (json.loads(b64url_decode(p)) for p in parts[:2])
            signature = b64url_decode(parts[2])
        except (ValueError, IndexError):
            head = claims = None
        check(isinstance(head, dict) and isinstance(claims, dict),
              "not a JWT")
        check(head.get("alg") == "RS256", "alg is not RS256")
        check(srv.sa_pubkey, "no --service-account-cert was given")
        check(rs256_valid(srv.sa_pubkey, (parts[0] + "." + parts[1]).encode(),
                          signature), "invalid JWT signature")
        email = srv.opts.service_account_email
        aud = "http://127.0.0.1:%d/token" % srv.port
        check(claims.get("iss") == email, "iss is not %s" % email)
        check(claims.get("aud") == aud, "aud is not %s" % aud)
        exp, iat = claims.get("exp"), claims.get("iat")
        check(all(type(t) in (int, float) for t in (exp, iat)),
              "exp and iat must be numbers")
        check(exp > time.time(), "the assertion has expired (exp)")
        check(exp - iat <= 3600, "exp - iat is more than 3600 s")
        check(isinstance(claims.get("scope"), str) and claims["scope"],
              "scope is missing")
        check(isinstance(claims.get("sub"), str) and claims["sub"],
              "sub (the mailbox) is missing")
        return claims

    def device_code_grant(self, form):
        need(form, "device_code", "client_id")
        st, now = self.server.state, time.monotonic()
        with st.lock:
            st.stats["device_polls"] += 1
            dev = st.devices.get(form["device_code"])
            if dev is None or dev["client_id"] != form["client_id"]:
                raise OAuthError("invalid_grant", "AADSTS70000: unknown or "
                                 "already redeemed device_code")
            if now > dev["expires"]:
                raise OAuthError("expired_token", "AADSTS70020: The provided "
                                 "value for the input parameter 'device_code' "
                                 "is not valid. This device code has expired.")
            if dev["state"] == "denied":
                raise OAuthError("access_denied", "AADSTS70016: the user "
                                 "declined the sign-in")
            last, dev["last_poll"] = dev["last_poll"], now
            if last is not None and now - last < dev["interval"]:
                dev["interval"] += 5    # RFC 8628, section 3.5
                raise OAuthError("slow_down", "polled again after %.2f s; "
                                 "the interval is now %d s" %
                                 (now - last, dev["interval"]))
            if dev["state"] == "pending":
                raise OAuthError("authorization_pending", "AADSTS70016: "
                                 "OAuth 2.0 device flow error. Authorization "
                                 "is pending. Continue polling.")
            del st.devices[form["device_code"]]
            refresh = st.new_refresh(dev["user"], dev["scope"])
        return self.bearer(dev["scope"], dev["user"], refresh)

    def device_authorization(self, form):
        need(form, "client_id")
        scope, opts, st = self.scope(form), self.server.opts, self.server.state
        letters = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ")
                          for _ in range(4))
        user_code = "%s-%04d" % (letters, secrets.randbelow(10000))
        device_code = secrets.token_urlsafe(32)
        uri = "http://127.0.0.1:%d/device" % self.server.port
        with st.lock:
            st.devices[device_code] = {
                "user_code": user_code, "client_id": form["client_id"],
                "scope": scope, "state": "pending", "user": None,
                "interval": opts.device_interval, "last_poll": None,
                "expires": time.monotonic() + opts.device_expires}
        self.log_fields["user_code"] = user_code
        return {"device_code": device_code, "user_code": user_code,
                "verification_uri": uri, "expires_in": opts.device_expires,
                "interval": opts.device_interval,
                "message": "To sign in, use a web browser to open the page "
                "%s and enter the code %s to authenticate." % (uri, user_code)}

    # --- /control/NAME: what a test does in place of a person or a
    # provider.  Called with the state's lock held. --------------------

    def ctl_approve(self, st, form):
        """The person who finishes the device sign-in in a browser."""
        code = form.get("user_code", "").upper()
        dev = next((d for d in st.devices.values()
                    if d["user_code"] == code), None)
        if dev is None:
            raise OAuthError("invalid_request", "no pending sign-in with "
                             "user_code '%s'" % code, 404)
        if form.get("deny", "0") not in ("", "0"):
            dev["state"] = "denied"
        else:
            need(form, "user")
            dev["state"], dev["user"] = "approved", form["user"]
        return {"user_code": code, "state": dev["state"]}

    def ctl_seed(self, st, form):
        """A refresh token got elsewhere (Google's authorization code)."""
        need(form, "user")
        return {"refresh_token": st.new_refresh(form["user"],
                                                form.get("scope", ""))}

    def ctl_revoke(self, st, form):
        need(form, "user")
        live = [rt for rt in st.refresh.values()
                if rt["user"] == form["user"] and rt["state"] == "live"]
        for rt in live:
            rt["state"] = "revoked"
        return {"revoked": len(live)}

    def ctl_lifetime(self, st, form):
        try:
            st.lifetime = int(form.get("seconds", ""))
        except ValueError:
            raise OAuthError("invalid_request", "seconds= is not a number")
        return {"lifetime": st.lifetime}

    def ctl_mode(self, st, form):
        mode = form.get("mode")
        try:
            count = int(form["count"]) if form.get("count") else None
            seconds = float(form.get("seconds") or 30)
        except ValueError:
            raise OAuthError("invalid_request", "count= or seconds= is not "
                             "a number")
        if mode not in MODES or (count is not None and count < 1):
            raise OAuthError("invalid_request", "mode= is one of %s, and "
                             "count= at least 1" % ", ".join(MODES))
        st.mode, st.mode_count, st.mode_seconds = mode, count, seconds
        return {"mode": mode, "count": count}

    def ctl_stats(self, st, form):
        return json.loads(json.dumps(st.stats))  # a copy, made under the lock

    def ctl_reset_stats(self, st, form):
        st.reset_stats()
        return {"ok": True}


def options(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--key-file", required=True)
    p.add_argument("--service-account-cert")
    p.add_argument("--allowed-scopes", type=lambda s: set(s.split()))
    for name, default in [
            ("issuer", "https://issuer.test/"), ("lifetime", 3600),
            ("port", 0), ("client-secret", "test-client-secret"),
            ("app-user", "mscagent@example.test"),
            ("service-account-email",
             "agent-sa@project.iam.gserviceaccount.test"),
            ("device-interval", 1), ("device-expires", 900)]:
        p.add_argument("--" + name, default=default, type=type(default))
    return p.parse_args(argv)


def failures():
    """The answers of a broken or overloaded endpoint, by mode."""
    def bearer(**fields):
        return 200, dict(token_type="Bearer", **fields), JSON, []
    return {
        "down": (0, b"", JSON, []),     # no answer: the connection closes
        "500": (500, {"error": "server_error"}, JSON, []),
        "503": (503, {"error": "temporarily_unavailable"}, JSON, []),
        "429": (429, {"error": "temporarily_unavailable"}, JSON,
                [("Retry-After", "1")]),
        "notjson": (200, b"<html><body>Down for maintenance</body></html>",
                    "text/html", []),
        "huge": (200, b'{"token_type":"Bearer","access_token":"' +
                 b"A" * (20 << 20) + b'","expires_in":3600}', JSON, []),
        "missing": bearer(expires_in=3600),
        "badtypes": bearer(access_token=12345, expires_in="3600"),
        "nul": bearer(access_token="eyJhbGciOiJIUzI1NiJ9\0.e30.x",
                      expires_in=3600)}


def make_server(opts, d):
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.daemon_threads = True
    srv.opts, srv.state = opts, State(opts.lifetime)
    srv.port = srv.server_address[1]
    with open(opts.key_file, "rb") as f:
        srv.key = f.read()
    srv.sa_pubkey = opts.service_account_cert and public_key_file(
        opts.service_account_cert, os.path.join(d, "oauth-sa-pubkey.pem"))
    srv.failures = failures()
    srv.log = open(os.path.join(d, "oauth.log"), "a")
    srv.log_lock = threading.Lock()
    return srv


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main(argv):
    opts = options(argv)
    d = os.path.abspath(opts.dir)
    srv = make_server(opts, d)
    # SIGTERM leaves serve_forever as ^C would, through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    files = [os.path.join(d, "oauth.pid"), os.path.join(d, "oauth.port")]
    try:
        write_atomically(files[0], "%d\n" % os.getpid())
        write_atomically(files[1], "%d\n" % srv.port)
        srv.serve_forever()
    finally:
        srv.server_close()
        for f in files:
            if os.path.exists(f):
                os.unlink(f)


if __name__ == "__main__":
    main(sys.argv[1:])
