"""A configurable homework server for sockgrade's server-check tests.

Usage: python3 test_server.py MODE ALLOWED_ADDRESS PORT

MODE picks the behaviour (a correct server, or one with a typical student bug):
  correct     threaded, reads lines (\\r tolerated, close ends a message), filters the address
  iterative   like correct, but serves one connection at a time (an idle client blocks it)
  substring   answers any recv() that contains the trigger
  nofilter    answers every address
  recv        treats each recv() as one message
  chatty      prints a banner and a line per connection besides the responses
  unflushed   never flushes stdout itself (block-buffered when stdout is a pipe)
  crash       exits at once with status 3 and a message on stderr
  wrongport   listens on a port the system picks (never PORT)
  fragile     exits when a connection is reset or sends more than 64 KiB without a newline
  onerecv     the article's shape: no SO_REUSEADDR, one recv() per connection, then it closes
              the connection itself (answers a recv() that is exactly the trigger)
  spew        like correct, plus a thread printing a debug line in a loop (floods stdout);
              every line is one write()
  spewms      like correct, plus a thread printing a debug line every millisecond
  rawflood    like correct, plus a thread printing "x" in a loop, never a newline
  afterclose  like correct, but once a client has closed, loops printing "Received: " forever
  startup     like correct, but prints the response once at start-up
  ticker      like correct, plus a thread printing the response every 100 ms
It listens on 127.0.0.1 (or $TEST_SERVER_BIND) and prints "Receive Query" per trigger.
"""

import os
import socket
import sys
import threading
import time

MODE, ALLOWED, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
TRIGGER = b"Client Query"
RESPONSE = "Receive Query"
MAX_LINE = 64 * 1024


def respond():
    if MODE in ("spew", "spewms", "rawflood", "afterclose", "ticker"):
        # One write per line, like C's printf + fflush: lines of two threads never mix.
        os.write(1, f"{RESPONSE}\n".encode())
        return
    print(RESPONSE, flush=MODE != "unflushed")


def handle(conn, addr):
    with conn:
        if MODE == "chatty":
            print(f"connection from {addr[0]}", flush=True)
        if MODE != "nofilter" and addr[0] != ALLOWED:
            return
        if MODE == "onerecv":
            data = conn.recv(4096)
            if data.rstrip(b"\r\n") == TRIGGER:
                respond()
            return
        buf = b""
        discarding = False
        while True:
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                if MODE == "fragile":
                    os._exit(4)
                return
            if not data:
                break
            if MODE == "recv":
                if data.rstrip(b"\r\n") == TRIGGER:
                    respond()
                continue
            if MODE == "substring":
                if TRIGGER in data:
                    respond()
                continue
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if not discarding and line.rstrip(b"\r") == TRIGGER:
                    respond()
                discarding = False
            if len(buf) > MAX_LINE:
                if MODE == "fragile":
                    os._exit(5)
                buf, discarding = b"", True
        if buf == TRIGGER and not discarding:
            respond()
    if MODE == "afterclose":
        while True:
            os.write(1, b"Received: \n")


def spew():
    n = 0
    while True:
        n += 1
        os.write(1, f"poll returned {n % 3}\n".encode())
        if MODE == "spewms":
            time.sleep(0.001)


def rawflood():
    while True:
        os.write(1, b"x" * 4096)


def ticker():
    while True:
        time.sleep(0.1)
        os.write(1, f"{RESPONSE}\n".encode())


def main():
    if MODE == "crash":
        print("server: cannot start (test crash)", file=sys.stderr)
        sys.exit(3)
    listener = socket.socket()
    if MODE != "onerecv":
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # wrongport: a port the system picks, so no parallel test can hold it (PORT + 1 could be).
    listener.bind((os.environ.get("TEST_SERVER_BIND", "127.0.0.1"), 0 if MODE == "wrongport" else PORT))
    listener.listen(16)
    if MODE == "chatty":
        print("======waiting for client's request======", flush=True)
    if MODE in ("spew", "spewms"):
        threading.Thread(target=spew, daemon=True).start()
    if MODE == "rawflood":
        threading.Thread(target=rawflood, daemon=True).start()
    if MODE == "ticker":
        threading.Thread(target=ticker, daemon=True).start()
    if MODE == "startup":
        print(RESPONSE, flush=True)
    while True:
        conn, addr = listener.accept()
        if MODE in ("iterative", "fragile"):
            handle(conn, addr)
        else:
            threading.Thread(target=handle, args=(conn, addr), daemon=True).start()


main()
