"""Standard Webhooks verification (https://www.standardwebhooks.com) as a
receiver of the notifier's webhooks does it — the logic docs/notifier.md
shows, used by http_receiver.py and by the tests' replay checks.

    key = signing_key("whsec_...")            # or today's plain secret
    why = verify(key, headers, body)          # None: authentic and fresh
"""
import base64
import hashlib
import hmac
import time

TOLERANCE = 5 * 60  # seconds, either way


def signing_key(secret):
    """The HMAC key of a secret as the notifier reads ENTRETIENS_WEBHOOK_SECRET:
    "whsec_<base64>" is the decoded bytes, any other value its own bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    return secret.encode("utf-8")


def expected_signature(key, msg_id, timestamp, body):
    """The v1 signature of one attempt (base64, without "v1,")."""
    mac = hmac.new(key, msg_id.encode() + b"." + str(timestamp).encode() + b"." + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def verify(key, headers, body, now=None, tolerance=TOLERANCE):
    """None when the call is authentic and fresh, else why it is refused.
    headers: a mapping with lower-case names (or http.server's headers)."""
    msg_id = headers.get("webhook-id") or ""
    ts = headers.get("webhook-timestamp") or ""
    if not msg_id or not (ts.isascii() and ts.isdigit()):
        return "missing webhook-id or webhook-timestamp"
    now = time.time() if now is None else now
    if abs(now - int(ts)) > tolerance:
        return "stale timestamp"
    want = expected_signature(key, msg_id, ts, body).encode()
    for sig in (headers.get("webhook-signature") or "").split():
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), want):
            return None
    return "bad signature"


def legacy_ok(key, headers, body):
    """The deprecated X-Entretiens-Signature: sha256=<hex HMAC of the body>."""
    want = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest((headers.get("X-Entretiens-Signature") or "").encode(), want.encode())
