#!/usr/bin/env python3
"""An independent EMVCo merchant-presented QR implementation, as an oracle for ours.

The oracle is cemacqr (PyPI, Apache-2.0, pure Python): a general EMV QRCPS-MPM v1.1 reader,
validator and builder, written apart from ours, that counts lengths in characters and computes
the CRC over the UTF-8 bytes as EMVCo defines them. scripts/test.sh installs the pinned version
into target/emvco-oracle; crates/wallet/tests/emvco_oracle.rs runs this script with that folder
on PYTHONPATH.

Reads one JSON request on standard input:

    {"decode": [text, ...], "build": [spec, ...]}

and writes one JSON answer on standard output:

    {"oracle": "cemacqr <version>", "decoded": [...], "built": [...]}

Each decoded entry is what cemacqr reads in the text (the fields, the templates as ID-to-value
maps, whether the CRC checks) and the violations its EMVCo validator finds, or {"error": ...}
when the text is not even well-formed. Each spec is built with cemacqr's own builder:

    {"static": bool, "template": "26", "gui": "CN.QIANBAO", "merchant_id": str,
     "order_id": str|null, "mcc": str, "currency": "156", "amount": str|null, "country": "CN",
     "name": str, "city": str, "bill_number": str|null, "name_local": str|null,
     "initiation": bool}

("initiation": false leaves out the point of initiation, which EMVCo makes optional.)
"""

import json
import sys
from importlib.metadata import version

import cemacqr


def decode(text):
    """What cemacqr reads in `text`, and what its EMVCo validator says of it."""
    try:
        qr = cemacqr.parse_payload(text)
    except cemacqr.QrSyntaxError as e:
        return {"error": str(e)}
    report = cemacqr.validate(qr, cemacqr.EMVCO)
    return {
        "crc_ok": qr.crc_ok,
        "violations": [str(v) for v in report.violations],
        "tags": qr.tags,
        "point_of_initiation": qr.point_of_initiation,
        "accounts": qr.merchant_accounts,
        "mcc": qr.merchant_category_code,
        "currency": qr.currency,
        "amount": qr.amount,
        "country": qr.country_code,
        "name": qr.merchant_name,
        "city": qr.merchant_city,
        "additional": qr.template("62"),
        "language": qr.template("64"),
        "chars": len(text),
    }


def build(spec):
    """A code built by cemacqr's builder from `spec`."""
    qr = (
        cemacqr.MerchantQr()
        .merchant(name=spec["name"], city=spec["city"], country=spec["country"])
        .category(spec["mcc"])
        .currency(spec["currency"])
    )
    if spec.get("initiation", True):
        qr.reusable(spec["static"])
    extra = {}
    if spec.get("order_id") is not None:
        extra["02"] = spec["order_id"]
    qr.account(spec["template"], gui=spec["gui"], merchant_pan=spec["merchant_id"], **extra)
    if spec.get("amount") is not None:
        qr.amount(spec["amount"])
    if spec.get("bill_number") is not None:
        qr.bill_number(spec["bill_number"])
    if spec.get("name_local") is not None:
        qr.alternate_language(language="ZH", merchant_name=spec["name_local"])
    return str(qr.build())


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    answer = {
        "oracle": "cemacqr " + version("cemacqr"),
        "decoded": [decode(text) for text in request.get("decode", [])],
        "built": [build(spec) for spec in request.get("build", [])],
    }
    # ASCII only (non-ASCII escaped), whatever the locale's encoding of standard output.
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
