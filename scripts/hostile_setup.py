#!/usr/bin/env python3
"""Prepares a fresh sandbox server for scripts/hostile-input.sh: two holders, "alice" and "bob",
each signed up, verified, with a bound card, the same payment password, a topped-up balance and
a merchant of their own, and records between them (transfers, a delayed transfer, order payments
both ways). Writes into OUT_DIR:

  auth.json       a Web Fuzzing Commons auth file naming four identities: the two holders (logged
                  in again through POST /v1/sessions whenever a token stops working, since the
                  fuzzer may log a session out) and their two merchants (API keys), so schemathesis
                  can check that none of them reaches another's objects;
  holder.toml,    schemathesis dictionaries of real values (alice's PIN, card, ID number, bob's
  merchant.toml   phone and wallet, payable codes, alice's records; alice-shop's payment and
                  order) that the fuzzer mixes into its own values, so that its requests also get
                  past the PIN and the look-ups and reach the money paths.

Usage: hostile_setup.py BASE_URL OUT_DIR        (standard library only)
"""
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng, birth="19900307", area="110101"):
    """A resident ID number with a correct GB 11643 check character (sequence 100-989 verifies)."""
    body = area + birth + "%03d" % rng.randrange(100, 990)
    s = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS))
    return body + "10X98765432"[s % 11]


def card_number(rng, bin_="622202", length=19):
    """A Luhn-valid ICBC debit number that the sandbox bank binds and tops up from."""
    digits = bin_ + "".join(rng.choice("123456789") for _ in range(length - len(bin_) - 1))
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


class Failed(Exception):
    pass


def call(base, method, path, body=None, token=None, headers=None):
    h = {"Accept": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed


def expect(result, status, what):
    got, body = result
    if got != status:
        raise Failed(f"{what}: expected {status}, got {got} {body}")
    return body


class Holder:
    def __init__(self, base, rng, name, phone, pin):
        self.base, self.rng, self.name, self.phone, self.pin = base, rng, name, phone, pin
        self.label = name
        self.password = "Hostile-Input-%06d" % rng.randrange(10**6)
        self.token = self.device_id = self.id_number = self.card_id = None
        self.merchant_key = self.static_qr = self.card_number = None

    def call(self, method, path, body=None, **kw):
        return call(self.base, method, path, body, token=self.token, **kw)

    def idem(self):
        return {"Idempotency-Key": "hostile-setup-%016x" % self.rng.getrandbits(64)}

    def last_code(self):
        q = urllib.parse.quote(self.phone)
        items = expect(call(self.base, "GET", "/v1/sandbox/sms?phone=" + q), 200, "sandbox sms")["items"]
        if not items or not items[0].get("code"):
            raise Failed(f"no code in the sandbox outbox for {self.phone}")
        return items[0]["code"]

    def open(self):
        expect(call(self.base, "POST", "/v1/otp", {"phone": self.phone, "purpose": "signup"}), 202, "otp")
        made = expect(call(self.base, "POST", "/v1/signup", {
            "phone": self.phone, "otp": self.last_code(), "password": self.password,
            "device_name": "hostile-input"}), 201, "signup")
        self.token, self.device_id, self.wallet_id = made["token"], made["device_id"], made["wallet_id"]
        self.id_number = id_number(self.rng)
        expect(self.call("POST", "/v1/me/identity", {"name": self.name, "id_number": self.id_number}),
               200, "identity")
        self.card_number = card_number(self.rng)
        pending = expect(self.call("POST", "/v1/me/cards", {
            "card_number": self.card_number, "holder_name": self.name,
            "id_number": self.id_number, "reserved_phone": self.phone}), 202, "bind card")
        self.card_id = pending["card_id"]
        expect(self.call("POST", f"/v1/me/cards/{self.card_id}/confirm", {"otp": self.last_code()}),
               200, "confirm card")
        expect(self.call("PUT", "/v1/me/pin", {"pin": self.pin}), 204, "set pin")
        expect(self.call("POST", "/v1/me/topups", {"card_id": self.card_id, "amount": 200000, "pin": self.pin},
                         headers=self.idem()), 201, "top up")
        shop = expect(self.call("POST", "/v1/merchants", {"name": self.name + "的小店", "category": "restaurant"}),
                      201, "open merchant")
        self.merchant_key, self.static_qr = shop["api_key"], shop["static_qr_payload"]
        return self

    def wfc_login(self):
        """A WFC entry that logs in again from the known device whenever the token is refused."""
        payload = {"phone": self.phone, "password": self.password, "device_id": self.device_id}
        return {
            "name": self.label,
            "loginEndpointAuth": {
                "endpoint": "/v1/sessions",
                "verb": "POST",
                "contentType": "application/json",
                "payloadRaw": json.dumps(payload),
                "token": {"extractFrom": "body", "extractSelector": "/token", "sendIn": "header",
                          "sendName": "Authorization", "sendTemplate": "Bearer {token}"},
            },
        }

    def wfc_merchant(self):
        return {"name": self.label + "-shop",
                "fixedHeaders": [{"name": "Authorization", "value": "Bearer " + self.merchant_key}]}


def toml_list(values):
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def dictionaries(bindings):
    """TOML binding each parameter to real values, used for half of the generated values."""
    lines = []
    for name, (values, _) in bindings.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(values)}", ""]
    lines.append("[parameters]")
    for name, (_, keys) in bindings.items():
        for key in keys:
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    rng = random.Random()
    phones = rng.sample(range(10**8), 2)
    pin = "720394"
    alice = Holder(base, rng, "张三", "+86139%08d" % phones[0], pin).open()
    alice.label = "alice"
    bob = Holder(base, rng, "李四", "+86139%08d" % phones[1], pin).open()
    bob.label = "bob"
    # Records on both sides, so there are objects of each identity to reach for.
    sent = expect(alice.call("POST", "/v1/transfers", {"to_phone": bob.phone, "amount": 1234, "pin": pin,
                                                       "memo": "hostile"}, headers=alice.idem()), 201, "transfer")
    later = expect(alice.call("POST", "/v1/transfers", {"to_wallet_id": bob.wallet_id, "amount": 500, "pin": pin,
                                                        "delay": "24h"}, headers=alice.idem()), 201, "delayed")
    expect(bob.call("POST", "/v1/transfers", {"to_wallet_id": alice.wallet_id, "amount": 700, "pin": pin,
                                              "delay": "2h"}, headers=bob.idem()), 201, "delayed transfer")
    paid = {}
    for payer, shop in ((alice, bob), (bob, alice)):
        order = expect(call(base, "POST", "/v1/merchant/orders", {"amount": 1800, "description": "一碗面"},
                            token=shop.merchant_key), 201, "order")
        paid[shop.label] = expect(payer.call("POST", "/v1/pay", {"payload": order["qr_payload"], "pin": pin},
                                             headers=payer.idem()), 201, "pay order")
    open_order = expect(call(base, "POST", "/v1/merchant/orders", {"amount": 900, "description": "饺子"},
                             token=alice.merchant_key), 201, "open order")
    receive = expect(bob.call("GET", "/v1/me/receive-code"), 200, "receive code")["payload"]
    bob_order = expect(call(base, "POST", "/v1/merchant/orders", {"amount": 100, "description": "茶",
                                                                  "expires_in": 86400},
                            token=bob.merchant_key), 201, "bob's order")["qr_payload"]
    doc = {"schemaVersion": "1.0",
           "auth": [alice.wfc_login(), bob.wfc_login(), alice.wfc_merchant(), bob.wfc_merchant()]}
    with open(f"{out}/auth.json", "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    holder = {
        "pins": ([pin], ["body.pin", "body.old_pin"]),
        "cards": ([alice.card_id], ["body.card_id", "query.card_id", "path.card_id"]),
        "card_numbers": ([alice.card_number], ["body.card_number"]),
        "id_numbers": ([alice.id_number], ["body.id_number"]),
        "payee_phones": ([bob.phone], ["body.to_phone", "query.phone"]),
        "payee_wallets": ([bob.wallet_id], ["body.to_wallet_id", "query.wallet_id"]),
        "payloads": ([receive, bob.static_qr, bob_order], ["body.payload"]),
        "records": ([later["id"], sent["id"]], ["path.id"]),
    }
    merchant = {
        "payments": ([paid["alice"]["payment_id"]], ["body.payment_id"]),
        "orders": ([open_order["order_id"]], ["path.id"]),
    }
    with open(f"{out}/holder.toml", "w") as f:
        f.write(dictionaries(holder))
    with open(f"{out}/merchant.toml", "w") as f:
        f.write(dictionaries(merchant))
    print(f"hostile_setup: holders alice {alice.phone} and bob {bob.phone}, each with a merchant")


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        sys.exit("hostile_setup: " + str(e))
