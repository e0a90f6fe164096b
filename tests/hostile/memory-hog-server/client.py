"""Socket homework - client.

Sends the three messages of the exercise to the server, one line each, then exits.

usage: python3 client.py <server-address> <port>
"""
import socket
import sys

MESSAGES = ["Client Query test", "Cleint Query", "Client Query Quit"]


def main():
    if len(sys.argv) != 3:
        print("usage: python3 client.py <server-address> <port>", file=sys.stderr)
        sys.exit(1)
    host, port = sys.argv[1], int(sys.argv[2])
    try:
        with socket.create_connection((host, port), timeout=5) as sock:
            for message in MESSAGES:
                sock.sendall((message + "\n").encode())
    except OSError as e:
        print(f"client: cannot send to {host}:{port}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
