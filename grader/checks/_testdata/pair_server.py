"""A homework server for sockgrade's pair-check tests: `pair_server.py MODE ALLOWED PORT`.

It serves connections one at a time and prints "Receive Query" for each line that is exactly
"Client Query" from the allowed address. MODE: iterative (serves forever), oneshot (serves one
connection, then exits), substring (answers any line that contains the trigger), silent (never
prints). It never flushes stdout itself: sockgrade must force line buffering.
"""

import socket
import sys

MODE, ALLOWED, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
TRIGGER = "Client Query"


def answers(line):
    if MODE == "silent":
        return False
    if MODE == "substring":
        return TRIGGER in line
    return line == TRIGGER


def serve(conn):
    with conn, conn.makefile("rb") as stream:
        for raw in stream:
            line = raw.decode(errors="replace").rstrip("\n").rstrip("\r")
            if answers(line):
                print("Receive Query")


with socket.create_server(("127.0.0.1", PORT)) as server:
    while True:
        conn, (address, _) = server.accept()
        if address != ALLOWED:
            conn.close()
            continue
        serve(conn)
        if MODE == "oneshot":
            break
