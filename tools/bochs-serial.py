#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# bochs-serial.py PORT LOG LIMIT [MARKER INPUT] - the host end of Bochs's COM1 in
# socket-server mode (tools/bochs.sh): connects to localhost:PORT (retrying while Bochs
# starts), copies everything the guest writes to LOG, types INPUT and a CR once after the
# guest has printed MARKER (as tools/qemu.sh's feed_input does for QEMU), and ends once
# the guest has printed "TESTS DONE" or "root: no more children; idle", or after LIMIT
# seconds. Exit status 0 if the guest got that far, 1 otherwise.

import socket
import sys
import time


def main():
    port, log, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    marker = sys.argv[4].encode() if len(sys.argv) > 5 else None
    text = sys.argv[5].encode() + b"\r" if len(sys.argv) > 5 else b""
    ends = (b"TESTS DONE", b"root: no more children; idle")
    start = time.monotonic()
    sock = None
    while sock is None and time.monotonic() - start < limit:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            time.sleep(0.2)
    if sock is None:
        return 1
    seen = b""
    typed = marker is None
    with open(log, "wb") as out:
        while time.monotonic() - start < limit:
            try:
                data = sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                break
            out.write(data)
            out.flush()
            seen = (seen + data)[-4096:]
            if not typed and marker in seen:
                sock.sendall(text)
                typed = True
            if any(e in seen for e in ends):
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
