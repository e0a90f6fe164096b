"""Socket homework - server.

Prints "Receive Query" when the allowed client sends the line "Client Query".
One thread per connection, so an idle client does not block the others.

usage: python3 server.py <allowed-client-address> <port>
"""
import socket
import sys
import threading

TRIGGER = b"Client Query"


def handle_message(msg):
    if msg.endswith(b"\r"):
        msg = msg[:-1]
    if msg == TRIGGER:
        print("Receive Query", flush=True)


def handle_client(conn):
    buffer = b""
    with conn:
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    handle_message(line)
        except OSError:
            return  # connection reset: forget the unfinished line
        if buffer:
            handle_message(buffer)  # last message ended by closing the connection


def main():
    if len(sys.argv) != 3:
        print("usage: python3 server.py <allowed-client-address> <port>", file=sys.stderr)
        sys.exit(1)
    allowed = sys.argv[1]
    port = int(sys.argv[2])

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(10)

    while True:
        conn, (host, _port) = server.accept()
        if host != allowed:
            conn.close()  # only the configured client may talk to us
            continue
        threading.Thread(target=handle_client, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
