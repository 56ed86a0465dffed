#!/usr/bin/python3
"""An SMTP server for the notifier's tests (aiosmtpd on loopback).

Every message received is appended to OUT as one JSON line: envelope,
Message-ID, headers the notifier sets, the plain text and the iCalendar
attachment, so that a test can say exactly which messages arrived.

    smtp_sink.py --port 2525 --out messages.jsonl
    smtp_sink.py --port 2525 --discard       (benchmarks: accept, keep nothing)
"""
import argparse
import email
import json
import signal
import threading
from email import policy

from aiosmtpd.controller import Controller


class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class Handler:
    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        ics = None
        for part in msg.walk():
            if part.get_content_type() == "text/calendar":
                c = part.get_content()
                ics = c.decode("utf-8") if isinstance(c, bytes) else c
        rec = {
            "mail_from": envelope.mail_from,
            "rcpt": list(envelope.rcpt_tos),
            "message_id": str(msg["Message-ID"]),
            "from": str(msg["From"]),
            "to": str(msg["To"] or ""),
            "cc": str(msg["Cc"] or ""),
            "subject": str(msg["Subject"]),
            "lang": str(msg["Content-Language"] or ""),
            "notification": str(msg["X-Entretiens-Notification"] or ""),
            "kind": str(msg["X-Entretiens-Kind"] or ""),
            "late": str(msg["X-Entretiens-Late"] or "") == "yes",
            "text": text,
            "ics": ics,
        }
        with self.lock:
            self.out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.out.flush()
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out")
    ap.add_argument("--discard", action="store_true")
    a = ap.parse_args()
    out = open(a.out, "a", encoding="utf-8") if a.out else None
    ctl = Controller(Discard() if a.discard else Handler(out), hostname="127.0.0.1", port=a.port)
    ctl.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    ctl.stop()
    if out:
        out.close()


if __name__ == "__main__":
    main()
