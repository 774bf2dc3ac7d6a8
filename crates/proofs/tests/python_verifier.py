#!/usr/bin/env python3
"""An independent check of qianbao's Merkle log proofs, written from RFC 9162's text.

It shares no code with the Rust crate: the hashes are RFC 9162 section 2.1.1, the inclusion check
section 2.1.3.2, the consistency check section 2.1.4.2, step by step as the RFC numbers them.

Usage: python3 python_verifier.py PROOF.json [PROOF.json ...]
Each file is one JSON object, hashes in standard base64:
  {"type": "inclusion", "leaf": <base64 leaf bytes>, "index": i, "size": n,
   "root": <hash>, "proof": [<hash>, ...]}
  {"type": "consistency", "from": m, "to": n, "from_root": <hash>, "to_root": <hash>,
   "proof": [<hash>, ...]}
Exit status 0 when every proof holds, 1 when any does not (each failure is named), 2 on bad input.
"""

import base64
import hashlib
import json
import sys


def leaf_hash(data):
    # RFC 9162 2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)).
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    # RFC 9162 2.1.1: HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf_index, tree_size, hash_, inclusion_path, root_hash):
    # RFC 9162 2.1.3.2, steps 1 to 5.
    if leaf_index >= tree_size:
        return False
    fn, sn = leaf_index, tree_size - 1
    r = hash_
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(first, second, first_hash, second_hash, consistency_path):
    # RFC 9162 2.1.4.2 covers 0 < first < second; equal sizes need equal heads and no path.
    if first == 0 or first > second:
        return False
    if first == second:
        return not consistency_path and first_hash == second_hash
    # 1. An empty path fails.
    if not consistency_path:
        return False
    path = list(consistency_path)
    # 2. If first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift both until it is not.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr and sr start at the first value.
    fr = sr = path[0]
    # 6. For each subsequent value c.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7. Compare both heads, and sn must be 0.
    return fr == first_hash and sr == second_hash and sn == 0


def b64(s):
    return base64.b64decode(s, validate=True)


def check(doc):
    proof = [b64(h) for h in doc["proof"]]
    if any(len(h) != 32 for h in proof):
        return False
    if doc["type"] == "inclusion":
        return verify_inclusion(doc["index"], doc["size"], leaf_hash(b64(doc["leaf"])), proof,
                                b64(doc["root"]))
    if doc["type"] == "consistency":
        return verify_consistency(doc["from"], doc["to"], b64(doc["from_root"]),
                                  b64(doc["to_root"]), proof)
    raise ValueError("unknown proof type %r" % doc["type"])


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    ok = True
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            holds = check(doc)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("%s: unreadable: %s" % (path, e), file=sys.stderr)
            return 2
        if not holds:
            print("%s: the %s proof does not hold" % (path, doc["type"]), file=sys.stderr)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
