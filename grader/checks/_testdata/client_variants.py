"""Test clients for sockgrade's client checks: `client_variants.py MODE HOST PORT`.

Each MODE is one way a student's client behaves (see client/mod_test.ts): correct, sizeof
(4096-byte buffers), nul (strlen+1), nodelim, per-message (one connection each), typo-fixed,
hang (never exits), exit1, crash (SIGSEGV, also when nothing listens), silent (no error message
when nothing listens), retry (retries forever), zero (exits 0 when nothing listens), wrong-port.
"""

import os
import signal
import socket
import sys
import time

MODE, HOST, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
MESSAGES = ["Client Query test", "Cleint Query", "Client Query Quit"]


def connect(port=PORT):
    while True:
        try:
            return socket.create_connection((HOST, port))
        except OSError as error:
            if MODE == "retry":
                time.sleep(0.05)
                continue
            if MODE == "silent":
                sys.exit(1)
            if MODE == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            print(f"client: cannot connect to {HOST}:{port}: {error}", file=sys.stderr)
            sys.exit(0 if MODE == "zero" else 1)


def main():
    if MODE == "per-message":
        for message in MESSAGES:
            with connect() as sock:
                sock.sendall(f"{message}\n".encode())
        return
    if MODE == "wrong-port":
        connect(PORT + 1 if PORT < 65535 else 1)
    sock = connect()
    messages = list(MESSAGES)
    if MODE == "typo-fixed":
        messages[1] = "Client Query"
    for message in messages:
        data = message.encode()
        if MODE == "sizeof":
            data = (data + b"\n").ljust(4096, b"\0")
        elif MODE == "nul":
            data += b"\n\0"
        elif MODE != "nodelim":
            data += b"\n"
        sock.sendall(data)
    if MODE == "hang":
        while True:
            time.sleep(60)
    if MODE == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    sock.close()
    if MODE == "exit1":
        print("client: done, but exiting with 1", file=sys.stderr)
        sys.exit(1)


main()
