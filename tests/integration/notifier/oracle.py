"""What the notifier owes, computed independently of its code, for the
integration tests: French public holidays by region, business days, the
default reminder plan (docs/notifier.md), notification ids and Message-IDs.

    import oracle
    oracle.reminders(obligation, heard, until, contacts, hour=9)
"""
import datetime as dt
import hashlib

PLAN = [(-30, "em"), (-7, "em"), (-1, "em"), (1, "m"), (7, "x")]


def easter(year):
    # anonymous Gregorian algorithm (Meeus/Jones/Butcher)
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


SLAVERY = {"guadeloupe": (5, 27), "martinique": (5, 22), "guyane": (6, 10), "reunion": (12, 20), "mayotte": (4, 27)}


def holidays(year, region):
    e = easter(year)
    h = {dt.date(year, m, d) for m, d in [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]}
    h |= {e + dt.timedelta(days=1), e + dt.timedelta(days=39), e + dt.timedelta(days=50)}
    if region == "alsace_moselle":
        h |= {e - dt.timedelta(days=2), dt.date(year, 12, 26)}
    if region in SLAVERY:
        h.add(dt.date(year, *SLAVERY[region]))
    return h


def business(day, region, direction):
    for _ in range(14):
        if day.weekday() < 5 and day not in holidays(day.year, region or "metropole"):
            return day
        day += dt.timedelta(days=direction)
    return day


def key(notification_id):
    return hashlib.sha256(notification_id.encode()).hexdigest()[:32]


def step_name(offset, due):
    return "d%+d@%s" % (offset, due.isoformat())


def reminders(ob, heard, until, contacts, plan=PLAN):
    """The reminder notifications an obligation owes, as a dict id -> (day,
    recipient id, kind): ob is a scheduler obligation (JSON), heard the
    date the notifier first heard of its current due date, until the last
    day looked at.  contacts maps employee ids to directory entries."""
    out = {}
    due = dt.date.fromisoformat(ob["due_date"])
    emp = ob["employee_id"]
    ce = contacts.get(emp, {})
    mgr = ce.get("manager_id") or ob.get("manager_id") or ""
    cm = contacts.get(mgr, {})
    skip = cm.get("manager_id", "")
    ahead = False  # a day step on or after the day it was heard of
    window = dt.date.fromisoformat(ob["window_start"]) if ob.get("window_start") else None
    for offset, to in plan:
        kind = "reminder" if offset <= 0 else "overdue"
        # no reminder before the obligation may be held (a campaign's opening)
        if offset <= 0 and window and due + dt.timedelta(days=offset) < window:
            continue
        direction = -1 if offset <= 0 else 1
        health = ob["type"] == "return_medical_visit"
        if health and ("m" in to or "x" in to):
            # the managers are not told of a medical visit: HR gets their part
            to = "e" * ("e" in to) + "h"
        for r in to:
            if r == "h":
                rid, region = "hr", ce.get("region")
                kind = "escalation" if "x" in dict(plan)[offset] else kind
            elif r == "e":
                rid, region = emp, ce.get("region")
            elif r == "m":
                if not mgr or mgr == emp:
                    continue
                rid, region = mgr, cm.get("region") or ce.get("region")
            else:
                rid, region, kind = "escalation", ce.get("region"), "escalation"
            day = business(due + dt.timedelta(days=offset), region, direction)
            ahead = ahead or day >= heard
            if day < heard or day > until:
                continue
            nid = "o:%s|%s|%s" % (ob["obligation_id"], step_name(offset, due), rid)
            who = rid if rid != "escalation" else (skip if skip and skip != mgr else "hr")
            out[nid] = (day, who, kind)
    # overdue with every step already past when heard of: one catch-up for
    # the manager and one for HR, the next business morning
    if ob["status"] == "overdue" and not ahead:
        day = business(heard + dt.timedelta(days=1), ce.get("region"), 1)
        if day <= until:
            managers = [mgr] if mgr and mgr != emp and ob["type"] != "return_medical_visit" else []
            for rid in managers + ["hr"]:
                out["o:%s|catchup@%s|%s" % (ob["obligation_id"], due.isoformat(), rid)] = (day, rid, "catchup")
    return out
