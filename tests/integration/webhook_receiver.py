"""A webhook receiver for the integration tests: records every POST (path,
the Standard Webhooks headers, the body) as one JSON line in LOG, answers
204, or 503 while the file DOWN exists (the receiver is "failing").
Each request sleeps DELAY seconds first (a slow receiver, so that a test can
kill the sender in the middle of a delivery).

usage: webhook_receiver.py PORT LOG DOWN DELAY
"""
import http.server
import json
import os
import sys
import time

PORT, LOG, DOWN, DELAY = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(DELAY)
        if os.path.exists(DOWN):
            self.send_response(503)
            self.end_headers()
            return
        rec = {"path": self.path, "id": self.headers.get("webhook-id"),
               "timestamp": self.headers.get("webhook-timestamp"),
               "signature": self.headers.get("webhook-signature"),
               "idempotency_key": self.headers.get("Idempotency-Key"),
               "kind": self.headers.get("X-Entretiens-Event"),
               "body": body.decode("utf-8")}
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
