"""Test clients of the typical transport mistakes, for client/transports_test.ts.

`client_transports.py MODE SERVER PORT-OR-CLIENT-PATH`, one MODE per mistake:
udp-packed (all three messages in one UDP datagram), udp-padded (each datagram a whole 1024-byte
buffer), unix-unbound (a Unix stream client that never binds), unix-dgram-unbound (a Unix
datagram client that never binds), unix-dgram-too-large (each message sent in a 300,000-byte
buffer: EMSGSIZE), tcp (a TCP client under a udp spec), udp (a correct UDP client, also graded
under a tcp spec).
"""

import os
import socket
import sys

MODE, SERVER, SECOND = sys.argv[1], sys.argv[2], sys.argv[3]
MESSAGES = ["Client Query test", "Cleint Query", "Client Query Quit"]


def fail(what, error):
    print(f"client: {what}: {error}", file=sys.stderr)
    sys.exit(1)


def main():
    if MODE == "udp-packed":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto("\n".join(MESSAGES).encode() + b"\n", (SERVER, int(SECOND)))
    elif MODE == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for message in MESSAGES:
                sock.sendto(message.encode(), (SERVER, int(SECOND)))
    elif MODE == "udp-padded":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for message in MESSAGES:
                sock.sendto(message.encode().ljust(1024, b"\0"), (SERVER, int(SECOND)))
    elif MODE == "unix-unbound":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(SERVER)
            except OSError as error:
                fail(f"connect {SERVER}", error)
            sock.sendall("".join(f"{m}\n" for m in MESSAGES).encode())
    elif MODE == "unix-dgram-unbound":
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            for message in MESSAGES:
                try:
                    sock.sendto(message.encode(), SERVER)
                except OSError as error:
                    fail(f"sendto {SERVER}", error)
    elif MODE == "unix-dgram-too-large":
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            if os.path.exists(SECOND):
                os.unlink(SECOND)
            sock.bind(SECOND)
            for message in MESSAGES:
                data = message.encode().ljust(300000, b"\0")
                try:
                    sock.sendto(data, SERVER)
                except OSError as error:
                    fail(f"sendto {len(data)} bytes", error)
            os.unlink(SECOND)
    elif MODE == "tcp":
        try:
            sock = socket.create_connection((SERVER, int(SECOND)))
        except OSError as error:
            fail(f"connect {SERVER}:{SECOND}", error)
        with sock:
            sock.sendall("".join(f"{m}\n" for m in MESSAGES).encode())
    else:
        fail("usage", f"unknown mode {MODE}")


main()
