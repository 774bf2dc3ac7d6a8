#!/usr/bin/env python3
"""Which tables and indexes a SQLite server's commits write, page by page.

Reads a copy of a running server's WAL (taken under load: `cp qianbao.db-wal wal.bin`) and
the database the same server left behind, and prints, for each b-tree, the WAL frames (one 4 KiB
page each) it took per commit. Each frame is two `pwrite`s and 4 KiB of the commit's fsync, so this
is where a money commit's time goes (docs/performance.md, "Measured 2026-12-08").

    python3 scripts/wal-frames.py wal.bin data/qianbao.db

Needs Python's sqlite3 with the `dbstat` table (Debian's has it). Pages that changed owner between
the copy and the end of the run are counted under their final owner; over a few commits that is
noise.
"""
import collections
import sqlite3
import struct
import sys


def commits(wal: bytes):
    """The page numbers of each complete commit in the WAL, in order."""
    _magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack(">8I", wal[:32])
    offset, current, done = 32, [], []
    while offset + 24 + page_size <= len(wal):
        page, size_after_commit, s1, s2 = struct.unpack(">4I", wal[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier WAL generation: the live part has ended
        current.append(page)
        if size_after_commit:
            done.append(current)
            current = []
        offset += 24 + page_size
    return done


def main() -> None:
    wal = open(sys.argv[1], "rb").read()
    found = commits(wal)
    if not found:
        sys.exit("no complete commit in the WAL copy")
    owner = dict(
        (page, name)
        for name, page in sqlite3.connect(sys.argv[2]).execute("SELECT name, pageno FROM dbstat")
    )
    frames = collections.Counter(owner.get(p, "?") for commit in found for p in commit)
    total = sum(len(c) for c in found)
    print(f"{len(found)} commits, {total} frames, {total / len(found):.1f} frames a commit")
    for name, count in frames.most_common():
        print(f"{name:40} {count / len(found):7.1f}  {100 * count / total:5.1f} %")


if __name__ == "__main__":
    main()
