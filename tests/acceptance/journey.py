#!/usr/bin/env python3
## Vendored from ../shared/acceptance/journey.py (the project's shared acceptance checks beside the
## checkout), unchanged below these `## ` lines. This repo copy is the one CI (.ci/run) runs, so CI
## does not depend on a file outside the repo; .ci/run prints a note when the shared copy differs.
## To update: copy the shared file over this one and put these lines back.
"""The acceptance journey: one holder opens a wallet through the six steps, tops up, pays a
friend and a shop both ways, gets a refund, and the ledger verifies clean — through the HTTP
contract of ../API.md, black-box, on SQLite and (where one listens on 127.0.0.1:5432) PostgreSQL.

Run from the project's root:  python3 ../shared/acceptance/journey.py
Set QIANBAO_BIN to use an existing binary instead of a release build.
"""
import os, socket, subprocess, sys, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qb import *


def journey(b):
    a = Holder(b).open_full()
    check(a.call("GET", "/v1/me").json.get("kyc_level") == 2, "a holder with a bound card is not level 2")
    a.topup(50000)
    check(a.balance() == 50000, f"balance after ¥500 top-up: {a.balance()}")
    friend = Holder(b)
    friend.name = "李四"
    friend.signup().verify_identity(name="李四")
    r = a.call("GET", "/v1/payees?phone=" + urllib.request.quote(friend.phone))
    check(r.status == 200 and r.json.get("masked_name"), f"payee lookup: {r}")
    t = a.call("POST", "/v1/transfers", {"to_phone": friend.phone, "amount": 1234, "pin": a.pin}, headers=idem())
    check(t.status == 201 and t.json.get("status") == "succeeded", f"transfer: {t}")
    check(friend.balance() == 1234, "the friend did not receive ¥12.34")
    code = friend.call("GET", "/v1/me/receive-code?amount=100")
    r = a.call("POST", "/v1/pay", {"payload": code.json["payload"], "pin": a.pin}, headers=idem())
    check(r.status == 201, f"paying a receive code: {r}")
    m = Holder(b)
    m.name = "王五"
    m.signup().verify_identity(name="王五")
    r = m.call("POST", "/v1/merchants", {"name": "兰州牛肉面", "category": "restaurant"})
    check(r.status == 201, f"creating a merchant: {r}")
    key = r.json["api_key"]
    o = call(b, "POST", "/v1/merchant/orders", {"amount": 1800, "description": "一碗面"}, token=key)
    check(o.status == 201, f"creating an order: {o}")
    p = a.call("POST", "/v1/pay", {"payload": o.json["qr_payload"], "pin": a.pin}, headers=idem())
    check(p.status == 201, f"paying the order: {p}")
    pc = a.call("GET", "/v1/me/payment-code")
    check(pc.status == 200, f"payment code: {pc}")
    ch = call(b, "POST", "/v1/merchant/charges", {"payment_code": pc.json["code"], "amount": 300}, token=key, headers=idem())
    check(ch.status == 201, f"merchant charging the payment code: {ch}")
    rf = call(b, "POST", "/v1/merchant/refunds", {"payment_id": p.json["payment_id"], "amount": 1800}, token=key, headers=idem())
    check(rf.status == 201, f"refund: {rf}")
    expected = 50000 - 1234 - 100 - 1800 - 300 + 1800
    check(a.balance() == expected, f"balance at the end: {a.balance()}, expected {expected}")
    tx = a.call("GET", "/v1/me/transactions?limit=100")
    check(tx.status == 200 and len(tx.json["items"]) >= 6, f"records: {tx}")


def main():
    binary = build()
    done = []
    with Server(binary) as srv:
        journey(srv.base)
        srv.stop()
        r = subprocess.run([binary, "verify", "--data-dir", srv.data_dir], capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, "qianbao verify failed: " + (r.stdout + r.stderr)[-300:])
        done.append("SQLite")
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return "journey holds on SQLite (no PostgreSQL on 127.0.0.1:5432)"
    name = "acceptance_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", f"CREATE DATABASE {name}"],
                   capture_output=True, check=True)
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    with Server(binary, database=url) as srv:
        journey(srv.base)
    r = subprocess.run([binary, "verify", "--database", url], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "qianbao verify on PostgreSQL failed: " + (r.stdout + r.stderr)[-300:])
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", f"DROP DATABASE {name} WITH (FORCE)"],
                   capture_output=True)
    done.append("PostgreSQL")
    return "journey holds on " + " and ".join(done)


run(main)
