#!/usr/bin/python3
"""http_burst.py -- a burst of hostile connections to an HTTP port.

Usage: http_burst.py PORT TOTAL HELD_FILE RELEASE_FILE [KIND,KIND...]

Opens TOTAL connections to 127.0.0.1:PORT, cycling through the given kinds
(default: all six), which a careless or malicious client produces:

  idle      connects and sends nothing;
  partial   sends half a request line ("GET /hea") and stalls;
  slow      asks for /metrics many times (pipelined) with a tiny receive
            buffer and never reads, so the server is left with a response
            it cannot finish writing;
  halfopen  connects and shuts its sending side (FIN) but keeps the socket;
  fin       closes right after connecting;
  rst       resets right after connecting (SO_LINGER 0: RST, no FIN).

The first four are held.  Once every connection is open it writes
"held N" to HELD_FILE, then waits (at most 120 s) until RELEASE_FILE
exists and drops the held connections, half of them with a FIN, half with
a RST.  Prints a one-line summary and exits 0, or 1 if a connection could
not be opened (the server's accept queue overflowed) or the release never
came.  Standard library only.
"""
import os
import socket
import struct
import sys
import time

KINDS = ("idle", "partial", "slow", "halfopen", "fin", "rst")
PIPELINED = b"GET /metrics HTTP/1.1\r\nHost: burst\r\n\r\n" * 64


def reset(sock):
    # linger on with a zero timeout: close() sends RST and discards the rest
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def open_one(port, kind):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if kind == "slow":
        # before connect, so that the window announced to the server is small
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    if kind == "partial":
        sock.sendall(b"GET /hea")
    elif kind == "slow":
        sock.sendall(PIPELINED)
    elif kind == "halfopen":
        sock.shutdown(socket.SHUT_WR)
    elif kind == "fin":
        sock.close()
        return None
    elif kind == "rst":
        reset(sock)
        return None
    return sock


def main():
    if len(sys.argv) not in (5, 6):
        sys.stderr.write(__doc__)
        return 2
    port, total = int(sys.argv[1]), int(sys.argv[2])
    held_file, release_file = sys.argv[3], sys.argv[4]
    kinds = sys.argv[5].split(",") if len(sys.argv) == 6 else KINDS
    if any(k not in KINDS for k in kinds):
        sys.stderr.write("kinds are %s\n" % ", ".join(KINDS))
        return 2

    held, failed = [], 0
    for i in range(total):
        try:
            sock = open_one(port, kinds[i % len(kinds)])
        except OSError as e:
            failed += 1
            sys.stderr.write("connection %d (%s): %s\n" % (i, kinds[i % len(kinds)], e))
            continue
        if sock is not None:
            held.append(sock)
    with open(held_file, "w") as f:
        f.write("held %d\n" % len(held))

    deadline = time.monotonic() + 120
    while not os.path.exists(release_file) and time.monotonic() < deadline:
        time.sleep(0.02)
    released = os.path.exists(release_file)

    for i, sock in enumerate(held):
        try:
            if i % 2:
                reset(sock)
            else:
                sock.close()
        except OSError:
            pass
    print("burst: %d opened, %d failed, %d held then dropped%s"
          % (total - failed, failed, len(held), "" if released else ", never released"))
    return 0 if failed == 0 and released else 1


if __name__ == "__main__":
    sys.exit(main())
