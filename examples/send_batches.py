#!/usr/bin/env python3
"""Sends leads to a leadsift server through the batch API, with nothing but Python's standard
library: the way in for rows that come from somewhere other than a file (a CRM, a queue).

    python3 examples/send_batches.py [--server http://127.0.0.1:8080] [--batch-size 5] [CSV]

The token, when the server has one, comes from LEADSIFT_TOKEN. The CSV's header names
canonical fields (`lead_id`, `email`, `phone_1`, ...; see docs/DESIGN.md) and its values must
already be in leadsift's normal form: the server cleans every value again and rejects a row
whose value it would have cleaned differently (`tampered_value`). Rows that need cleaning go
through `POST /api/v1/imports/csv` or `leadsift import` instead.

It starts a run, sends the rows in numbered batches (each with its checksum, computed by the
recipe in the README), sends the first batch again to show that a replay changes nothing,
sends other rows under a number already used to show the conflict, finishes the run and
prints the history. It exits 1 when the server answers anything else than it should.
"""
import argparse
import csv
import hashlib
import json
import os
import struct
import sys
import urllib.error
import urllib.request

FS, GS, RS, US = b"\x1c", b"\x1d", b"\x1e", b"\x1f"


def batch_checksum(rows):
    """The batch checksum (README, "The batch checksum"): SHA-256, lower-case hex."""
    h = hashlib.sha256()
    for row in rows:
        h.update(struct.pack("<QQ", row["record"], row["line"]))
        for bad in sorted(row.get("invalid", []),
                          key=lambda i: (i["field"], i.get("column") is not None, i.get("column") or "", i["raw"])):
            h.update(bad["field"].encode() + RS + (bad.get("column") or "").encode() + RS + bad["raw"].encode() + US)
        h.update(GS)
        for note in row.get("notes", []):
            h.update(note["code"].encode() + RS + note["message"].encode() + US)
        h.update(GS)
        for name, value in sorted(row["lead"].items()):
            h.update(name.encode() + RS)
            h.update(b"\x00" if value is None else b"\x01" + str(value).encode())
            h.update(US)
        for part in ("extra", "original"):
            h.update(GS)
            for name, value in sorted(row.get(part, {}).items()):
                h.update(name.encode() + RS + value.encode() + US)
        h.update(FS)
    return h.hexdigest()


class Server:
    def __init__(self, base, token):
        self.base = base.rstrip("/") + "/"
        self.token = token

    def call(self, method, path, body=None):
        """(status, JSON answer) of one request."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if self.token:
            req.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)


def expect(what, got, want):
    if got != want:
        sys.exit(f"{what}: expected {want!r}, got {got!r}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", nargs="?", default=os.path.join(here, "leads.csv"))
    p.add_argument("--server", default="http://127.0.0.1:8080")
    p.add_argument("--batch-size", type=int, default=5)
    args = p.parse_args()
    server = Server(args.server, os.environ.get("LEADSIFT_TOKEN"))

    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = [
            {"record": i, "line": i + 2, "lead": {k: (v if v != "" else None) for k, v in rec.items()}}
            for i, rec in enumerate(csv.DictReader(f))
        ]
    batches = [rows[i:i + args.batch_size] for i in range(0, len(rows), args.batch_size)]

    status, run = server.call("POST", "api/v1/imports", {"file_name": os.path.basename(args.csv)})
    expect("starting the run", status, 201)
    run_id = run["id"]
    print(f"run {run_id} started at {run['started_at']}")

    totals = {}
    for seq, batch in enumerate(batches, start=1):
        body = {"rows": batch, "checksum": batch_checksum(batch)}
        status, answer = server.call("PUT", f"api/v1/imports/{run_id}/batches/{seq}", body)
        expect(f"batch {seq}", status, 200)
        for k, v in answer["counts"].items():
            totals[k] = totals.get(k, 0) + v
        for row in answer["rows"]:
            if row["outcome"] == "rejected":
                codes = ", ".join(i["code"] for i in row["issues"])
                print(f"  line {row['line']} rejected: {codes}")
        print(f"batch {seq}: {answer['counts']}")

    # The same batch again, without its checksum this time: answered from the record.
    status, again = server.call("PUT", f"api/v1/imports/{run_id}/batches/1", {"rows": batches[0]})
    expect("the replayed batch", (status, again.get("replayed")), (200, True))
    print("batch 1 again: replayed, nothing written")
    # Other rows under a number already used: a conflict, and nothing written.
    if len(batches) > 1:
        status, conflict = server.call("PUT", f"api/v1/imports/{run_id}/batches/1", {"rows": batches[1]})
        expect("other rows under batch 1", (status, conflict.get("error")), (409, "batch_conflict"))
        print(f"other rows as batch 1: {conflict['error']}")

    status, done = server.call("POST", f"api/v1/imports/{run_id}/finish")
    expect("finishing the run", (status, done["status"]), (200, "finished"))
    expect("rows counted once", done["rows_read"], len(rows))
    expect("created", done["created"], totals.get("created", 0))
    print(f"run {run_id} finished: {done['created']} created, {done['rejected']} rejected")

    status, history = server.call("GET", "api/v1/imports?limit=5")
    expect("the history", status, 200)
    for r in history["runs"]:
        print(f"  {r['id']:>4}  {r['started_at']}  {r['status']:<9} {r['rows_read']:>6} rows  {r['file_name']}")


if __name__ == "__main__":
    main()
