#!/usr/bin/python3
"""A webhook receiver for the notifier's tests.

Each POST is appended to OUT as one JSON line: the Idempotency-Key, whether
X-Entretiens-Signature verifies (HMAC-SHA256 of the body under SECRET), the
notification fields and the status answered.  It can misbehave on purpose:

    --fail-while FILE   answer 503 while FILE exists (a receiver that is down)
    --status CODE       answer CODE to everything (a receiver that keeps failing)

    http_receiver.py --port 8080 --out hooks.jsonl --secret s3cret
"""
import argparse
import hashlib
import hmac
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secret", default="")
    ap.add_argument("--fail-while", default="")
    ap.add_argument("--status", type=int, default=0)
    a = ap.parse_args()
    out = open(a.out, "a", encoding="utf-8")
    lock = threading.Lock()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            sig = self.headers.get("X-Entretiens-Signature", "")
            want = "sha256=" + hmac.new(a.secret.encode(), body, hashlib.sha256).hexdigest()
            code = 200
            if a.status:
                code = a.status
            elif a.fail_while and os.path.exists(a.fail_while):
                code = 503
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            rec = {
                "t": time.time(),
                "idempotency_key": self.headers.get("Idempotency-Key", ""),
                "signature_ok": hmac.compare_digest(sig, want),
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
