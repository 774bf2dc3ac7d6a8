## Vendored from ../shared/acceptance/qb.py (the project's shared acceptance checks beside the
## checkout), unchanged below these `## ` lines. This repo copy is the one CI (.ci/run) runs, so CI
## does not depend on a file outside the repo; .ci/run prints a note when the shared copy differs.
## To update: copy the shared file over this one and put these lines back.
"""Black-box acceptance harness: finds or builds the project's `qianbao` binary, starts it on a free
port with a fresh data directory, and drives the HTTP contract of API.md beside this folder.

Only the standard library is used, so these checks run on any machine with python3.
"""
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

PROJECT = os.environ.get("QIANBAO_PROJECT", os.getcwd())
TARGET = os.environ.get("QIANBAO_TARGET", os.path.join(tempfile.gettempdir(), "qianbao-acceptance-target"))


class Short(Exception):
    """A check falls short: the message is the figure printed last."""


def check(cond, msg):
    if not cond:
        raise Short(msg)


def build():
    """Return the `qianbao` binary: $QIANBAO_BIN if set, else a release build of the project."""
    if os.environ.get("QIANBAO_BIN"):
        check(os.path.exists(os.environ["QIANBAO_BIN"]), "QIANBAO_BIN does not exist")
        return os.environ["QIANBAO_BIN"]
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET)
    r = subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "qianbao"],
                       cwd=PROJECT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise Short("cargo build --release --bin qianbao failed: " + r.stderr.strip()[-300:])
    path = os.path.join(TARGET, "release", "qianbao")
    check(os.path.exists(path), "no qianbao binary after build")
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    """A running `qianbao serve --sandbox` on a fresh data dir (or a given database URL)."""

    def __init__(self, binary, database=None, data_dir=None, extra=()):
        self.binary = binary
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="qianbao-acc-")
        self.database = database
        self.extra = list(extra)
        self.log = open(os.path.join(self.data_dir, "server.log"), "ab")
        self.proc = None

    def args(self):
        a = [self.binary, "serve", "--sandbox", "--listen", f"127.0.0.1:{self.port}"]
        a += ["--database", self.database] if self.database else ["--data-dir", self.data_dir]
        return a + self.extra

    def start(self, timeout=30):
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Short(f"qianbao serve exited with {self.proc.returncode}: " + self.tail())
            try:
                if urllib.request.urlopen(self.base + "/readyz", timeout=1).status == 200:
                    return self
            except Exception:
                time.sleep(0.2)
        raise Short("qianbao serve not ready within %ds: %s" % (timeout, self.tail()))

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self):
        self.kill(signal.SIGTERM)

    def tail(self):
        try:
            with open(os.path.join(self.data_dir, "server.log"), "rb") as f:
                return f.read()[-400:].decode("utf-8", "replace")
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class Headers(dict):
    """Response headers, looked up without regard to case (HTTP header names are case-insensitive)."""

    def __init__(self, pairs):
        super().__init__((k.lower(), v) for k, v in pairs)

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(key.lower())


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = Headers(headers.items())
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return (self.json or {}).get("code") if isinstance(self.json, dict) else None

    def __repr__(self):
        return f"{self.status} {self.raw[:200]!r}"


def call(base, method, path, body=None, token=None, headers=None, raw=None, ctype=None, timeout=30):
    h = {"Accept": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if raw is not None:
        data = raw
        h["Content-Type"] = ctype or "application/octet-stream"
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Resp(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, dict(e.headers), e.read())


def idem():
    return {"Idempotency-Key": "acc-%016x" % random.getrandbits(64)}


# ---- test identities -------------------------------------------------------------------------

def phone():
    return "+86139%08d" % random.randrange(10 ** 8)


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(birth="19900307", seq=None, area="110101"):
    seq = seq or "%03d" % random.randrange(100, 990)
    body = area + birth + seq
    s = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS))
    return body + "10X98765432"[s % 11]


def luhn(prefix, length=19):
    digits = prefix + "".join(random.choice("123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


def card(behaviour="", bin_="622202", length=19):
    """A sandbox card: digits 7-10 choose the bank's behaviour (API.md)."""
    return luhn(bin_ + behaviour, length)


def png(w=400, h=400):
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3 + random.randrange(9)) & 255
                                    for x in range(w) for _ in range(3)) for y in range(h))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# ---- flows -----------------------------------------------------------------------------------

def last_code(base, ph, after=0.0):
    r = call(base, "GET", "/v1/sandbox/sms?phone=" + urllib.request.quote(ph))
    check(r.status == 200 and r.json and r.json.get("items"), f"sandbox sms for {ph}: {r}")
    item = r.json["items"][0]
    code = item.get("code")
    check(code and len(code) == 6 and code.isdigit(), f"sandbox sms has no 6-digit code: {item}")
    return code


class Holder:
    """One wallet holder taken through the opening steps."""

    def __init__(self, base, ph=None):
        self.base = base
        self.phone = ph or phone()
        self.password = "Corr3ct-Horse-%d" % random.randrange(10 ** 6)
        self.token = None
        self.name = "张三"
        self.id_number = None
        self.card_id = None
        self.card_number = None
        self.pin = "%06d" % random.choice([258147, 369258, 147036, 806142, 520713])

    def call(self, method, path, body=None, **kw):
        return call(self.base, method, path, body, token=self.token, **kw)

    def signup(self):
        r = call(self.base, "POST", "/v1/otp", {"phone": self.phone, "purpose": "signup"})
        check(r.status == 202, f"POST /v1/otp: {r}")
        r = call(self.base, "POST", "/v1/signup", {"phone": self.phone, "otp": last_code(self.base, self.phone),
                                                   "password": self.password, "device_name": "acceptance"})
        check(r.status == 201 and r.json.get("token"), f"POST /v1/signup: {r}")
        self.token = r.json["token"]
        self.wallet_id = r.json.get("wallet_id")
        return self

    def verify_identity(self, name="张三", birth="19900307"):
        self.name = name
        self.id_number = id_number(birth)
        r = self.call("POST", "/v1/me/identity", {"name": name, "id_number": self.id_number})
        check(r.status == 200 and r.json.get("kyc_level") == 1, f"POST /v1/me/identity: {r}")
        return self

    def bind_card(self, behaviour="", bin_="622202", length=19):
        self.card_number = card(behaviour, bin_, length)
        body = {"card_number": self.card_number, "holder_name": self.name,
                "id_number": self.id_number, "reserved_phone": self.phone}
        if bin_ in ("411111", "555555"):
            body.update(expiry="12/30", cvv="123")
        r = self.call("POST", "/v1/me/cards", body)
        check(r.status == 202 and r.json.get("card_id"), f"POST /v1/me/cards: {r}")
        cid = r.json["card_id"]
        r = self.call("POST", f"/v1/me/cards/{cid}/confirm", {"otp": last_code(self.base, self.phone)})
        check(r.status == 200 and r.json.get("status") == "active", f"card confirm: {r}")
        self.card_id = cid
        return self

    def set_pin(self):
        r = self.call("PUT", "/v1/me/pin", {"pin": self.pin})
        check(r.status == 204, f"PUT /v1/me/pin: {r}")
        return self

    def open_full(self, **kw):
        return self.signup().verify_identity().bind_card(**kw).set_pin()

    def topup(self, amount):
        r = self.call("POST", "/v1/me/topups", {"card_id": self.card_id, "amount": amount, "pin": self.pin},
                      headers=idem())
        check(r.status == 201 and r.json.get("status") == "succeeded", f"top-up: {r}")
        return r

    def balance(self, currency="CNY"):
        r = self.call("GET", "/v1/me/balance")
        check(r.status == 200, f"GET /v1/me/balance: {r}")
        for b in r.json.get("balances", []):
            if b.get("currency") == currency:
                return b.get("available")
        return 0


def run(main):
    """Run a check: print the figure last, exit 0 where it holds, 1 where it falls short."""
    random.seed()
    try:
        figure = main()
        print(figure or "holds")
        sys.exit(0)
    except Short as e:
        print("short: " + str(e).replace("\n", " ")[:400])
        sys.exit(1)
