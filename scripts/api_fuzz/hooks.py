"""Schemathesis hooks for Kesu's API fuzz run (R-SEC-4).

Every request is sent alone (one worker); before it the database is fingerprinted, and after it a
request the server refused (4xx) must have changed nothing. The fingerprint reads the SQLite file
named by KESU_FUZZ_DB read-only: the audit chain head (every change appends an event), and the
rows that may change without an event (outbox, attachments, tokens, users, org nodes, units).
"""
import os
import sqlite3

import schemathesis

DB = os.environ["KESU_FUZZ_DB"]
KEEP_TOKEN = os.environ.get("KESU_FUZZ_KEEP_TOKEN_ID", "")
QUERIES = [
    "SELECT seq || ':' || hash FROM audit_head",
    "SELECT COUNT(*) FROM complaint",
    "SELECT COUNT(*) FROM outbox",
    "SELECT COUNT(*) FROM attachment",
    "SELECT COUNT(*) || ':' || COUNT(revoked_at) FROM api_token",
    "SELECT COUNT(*) FROM app_user",
    "SELECT COUNT(*) FROM org_node",
    "SELECT COUNT(*) FROM unit",
    "SELECT COUNT(*) FROM setting",
]
_before = {}


def fingerprint():
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, timeout=30)
    try:
        out = []
        for q in QUERIES:
            try:
                out.append(str(con.execute(q).fetchone()[0]))
            except sqlite3.OperationalError:
                out.append("-")
        return tuple(out)
    finally:
        con.close()


@schemathesis.hook
def filter_case(ctx, case):
    # Never revoke the token the run itself uses.
    if case.method.upper() == "DELETE" and case.path.startswith("/api/v1/auth/tokens/"):
        return str((case.path_parameters or {}).get("id")) != KEEP_TOKEN
    return True


@schemathesis.hook
def before_call(ctx, case, kwargs):
    _before[id(case)] = fingerprint()


@schemathesis.hook
def after_call(ctx, case, response):
    before = _before.pop(id(case), None)
    if before is not None and 400 <= response.status_code < 500:
        after = fingerprint()
        if after != before:
            case._kesu_changed = (before, after)


@schemathesis.check
def refused_changes_nothing(ctx, response, case):
    changed = getattr(case, "_kesu_changed", None)
    if changed:
        raise AssertionError(
            f"{case.method} {case.path} was refused with {response.status_code} yet changed the database: {changed[0]} -> {changed[1]}"
        )
