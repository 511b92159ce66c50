"""The rush's floor, not product code: the first-come enrolment decision as a bare WSGI function on psycopg.

    .venv/bin/python benchmarks/campus_rush.py --reuse --app rush_floor_app:app

It makes the statements the product's request makes (the token and its account, the person, the section with its
term and site, the person's lock, their live requests, the seat, the enrolment row, the audit row) with as little
Python as possible: no middleware, no DRF, no ORM, the rules written out inline (window, age, duplicate, limits,
clash, full). It shows what PostgreSQL and this machine allow, beside the pgbench floor of the one UPDATE; the
product keeps its one way to authenticate, decide, audit and refuse (see benchmarks/README.md).
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
import time

import psycopg

URL = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://")
local = threading.local()
LIVE = ("applied", "enrolled", "waitlisted", "offered")


def conn():
    c = getattr(local, "c", None)
    if c is None:
        c = local.c = psycopg.connect(URL, autocommit=True)
    return c


def answer(start_response, code, body):
    data = json.dumps(body).encode()
    start_response(code, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    tok = environ.get("HTTP_AUTHORIZATION", "")[6:]
    c = conn()
    cur = c.cursor()
    cur.execute(
        "SELECT t.digest, t.expiry, u.id, u.username, u.is_active FROM knox_authtoken t "
        "JOIN accounts_user u ON u.id = t.user_id WHERE t.token_key = %s",
        (tok[:15],),
    )
    row = cur.fetchone()
    if not row or not hmac.compare_digest(hashlib.sha512(tok.encode()).hexdigest(), row[0]) or not row[4]:
        return answer(start_response, "401 Unauthorized", {"detail": "bad token"})
    uid, username = row[2], row[3]
    if not path.endswith("/enroll/"):
        return answer(start_response, "200 OK", {})
    sid = int(path.split("/")[-3])
    cur.execute(
        "SELECT id, gender, birth_date, status, name FROM registry_retiree WHERE account_id = %s AND NOT is_deleted",
        (uid,),
    )
    me = cur.fetchone()
    cur.execute(
        "SELECT s.capacity, s.waitlist, s.age_min, s.age_max, s.term_id, t.apply_from, t.apply_until, t.mode, "
        "t.limit, t.starts, o.path, s.fee FROM campus_section s JOIN campus_term t ON t.id = s.term_id "
        "JOIN campus_site si ON si.id = s.site_id JOIN orgs_org o ON o.id = si.org_id "
        "WHERE s.id = %s AND NOT s.is_deleted",
        (sid,),
    )
    sec = cur.fetchone()
    now = dt.datetime.now(dt.UTC)
    if not (sec[5] <= now < sec[6]):
        return answer(start_response, "409 Conflict", {"error": "closed"})
    age = sec[9].year - me[2].year
    if age < (sec[2] or (50 if me[1] == "F" else 55)) or age > (sec[3] or 80):
        return answer(start_response, "409 Conflict", {"error": "not_eligible"})
    term = sec[4]
    with c.transaction():
        cur.execute(
            "INSERT INTO campus_termload (term_id, retiree_id) VALUES (%s, %s) ON CONFLICT (term_id, retiree_id) "
            "DO UPDATE SET term_id = EXCLUDED.term_id RETURNING id",
            (term, me[0]),
        )
        cur.execute(
            "SELECT e.section_id, e.status, sl.weekday, sl.start, sl.end FROM campus_enrolment e "
            "LEFT JOIN campus_slot sl ON sl.section_id = e.section_id "
            "WHERE e.term_id = %s AND e.retiree_id = %s AND e.status = ANY(%s)",
            (term, me[0], list(LIVE)),
        )
        live = cur.fetchall()
        if any(r[0] == sid for r in live):
            return answer(start_response, "409 Conflict", {"error": "duplicate"})
        held = {r[0] for r in live if r[1] in ("enrolled", "offered")}
        waiting = {r[0] for r in live if r[1] == "waitlisted"}
        if len(held) >= sec[8]:
            return answer(start_response, "409 Conflict", {"error": "limit"})
        if held:
            cur.execute('SELECT weekday, start, "end" FROM campus_slot WHERE section_id = %s', (sid,))
            mine = cur.fetchall()
            for r in live:
                if r[0] in held:
                    for w, a, b in mine:
                        if r[2] == w and a < r[4] and r[3] < b:
                            return answer(start_response, "409 Conflict", {"error": "clash"})
        cur.execute(
            "UPDATE campus_section SET taken = taken + 1 WHERE id = %s AND taken < capacity RETURNING id", (sid,)
        )
        got = cur.fetchone()
        if not got and not sec[1]:
            return answer(start_response, "409 Conflict", {"error": "full"})
        if not got and len(waiting) >= sec[8]:
            return answer(start_response, "409 Conflict", {"error": "limit"})
        status = "enrolled" if got else "waitlisted"
        cur.execute(
            "INSERT INTO campus_enrolment (section_id, term_id, retiree_id, status, queue, completed, on_behalf, "
            "by_id, created_at, changed_at) VALUES (%s, %s, %s, %s, %s, false, false, %s, now(), now()) RETURNING id",
            (sid, term, me[0], status, time.time_ns() // 1000, uid),
        )
        eid = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO audit_auditrecord (at, actor_id, actor_username, on_behalf_of, ip, request_id, action, "
            "object_type, object_id, object_repr, org_path, changes, extra, prev_hash, hash, key_id) VALUES (now(), "
            "%s, %s, '', '127.0.0.1', '', 'create', 'campus.enrolment', %s, '', %s, '{}', %s, '', '', '')",
            (uid, username, str(eid), sec[10], json.dumps({"event": "campus_" + status})),
        )
    return answer(start_response, "201 Created", {"status": status})
