#!/usr/bin/python3
"""A webhook receiver for the notifier's tests.

With --secret it checks every POST the way a real receiver must
(webhook_verify.py, docs/notifier.md): the Standard Webhooks signature of
webhook-id.webhook-timestamp.body under the secret, and a timestamp within
5 minutes of its clock.  A request that fails is answered 401 (which the
notifier never retries).  Each POST is appended to OUT as one JSON line:
whether it verified (signature_ok) or why not (reject), whether the
deprecated X-Entretiens-Signature verifies, webhook-id and -timestamp, the
Idempotency-Key, the notification fields and the status answered.  With
--capture the line also keeps the request as received (headers, base64
body), for replay checks.  It can misbehave on purpose:

    --fail-while FILE     answer 503 while FILE exists (a receiver that is down)
    --status CODE         answer CODE to everything verified (a receiver that keeps failing)
    --clock-offset SECS   its clock runs SECS ahead (a replay made that much later)

    http_receiver.py --port 8080 --out hooks.jsonl --secret s3cret
"""
import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webhook_verify  # noqa: E402

CAPTURED = ("webhook-id", "webhook-timestamp", "webhook-signature", "X-Entretiens-Signature", "Idempotency-Key",
            "Content-Type")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secret", default="")
    ap.add_argument("--fail-while", default="")
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--clock-offset", type=float, default=0)
    ap.add_argument("--capture", action="store_true")
    a = ap.parse_args()
    key = webhook_verify.signing_key(a.secret) if a.secret else None
    out = open(a.out, "a", encoding="utf-8")
    lock = threading.Lock()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            now = time.time() + a.clock_offset
            why = webhook_verify.verify(key, self.headers, body, now=now) if key is not None else None
            code = 200
            if why:
                code = 401
            elif a.status:
                code = a.status
            elif a.fail_while and os.path.exists(a.fail_while):
                code = 503
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            ts = self.headers.get("webhook-timestamp", "")
            rec = {
                "t": now,
                "idempotency_key": self.headers.get("Idempotency-Key", ""),
                "webhook_id": self.headers.get("webhook-id", ""),
                "webhook_timestamp": int(ts) if ts.isdigit() else None,
                "n_signatures": len(self.headers.get("webhook-signature", "").split()),
                "signature_ok": key is not None and why is None,
                "reject": why,
                "legacy_signature_ok": key is not None and webhook_verify.legacy_ok(key, self.headers, body),
                "content_type": self.headers.get("Content-Type", ""),
                "status": code,
                "id": doc.get("id"),
                "message_id": doc.get("message_id"),
                "kind": doc.get("kind"),
                "recipient": doc.get("recipient", {}),
                "cc": doc.get("cc", []),
                "employee_id": doc.get("employee_id"),
                "subject": doc.get("subject"),
                "late": doc.get("late"),
            }
            if a.capture:
                rec["request"] = {
                    "headers": {h: self.headers[h] for h in CAPTURED if h in self.headers},
                    "body": base64.b64encode(body).decode(),
                }
            with lock:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                out.flush()
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    srv.serve_forever()
    out.close()


if __name__ == "__main__":
    main()
