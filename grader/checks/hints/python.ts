/**
 * Hints for Python 3: `sys.argv`, the `socket` module (`sock.bind(path)` before `connect` for a
 * Unix client, `sendto`/`recvfrom` for datagrams), `print(..., flush=True)`, exceptions.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The Python wordings. */
export const PYTHON_HINTS: LanguageHints = {
  "client.connect-args":
    "Connect to the address and port given on the command line: `socket.create_connection((sys.argv[1], int(sys.argv[2])))`.",
  "client.hangs-after-sending":
    "After sending the last message, `sock.close()` and let the script end: do not wait for an answer (the server sends none).",
  "client.crash-segv": "Run it by hand with the same arguments to see where it stops.",
  "client.exit-status": "Let the script end normally (or `sys.exit(0)`) when everything was sent.",
  "client.reset":
    "A reset can lose data the server has not read yet: `sock.close()` normally (no SO_LINGER with a zero timeout).",
  "client.no-server-error":
    "When connecting fails, catch `OSError`, `print(e, file=sys.stderr)` and `sys.exit(1)` (or let the exception end the script).",
  "client.no-server-retries":
    "Do not retry forever: when connecting fails, `print(e, file=sys.stderr)` and `sys.exit(1)`.",
  "client.no-server-crash":
    "Catch `OSError` around the connection, `print(e, file=sys.stderr)` and `sys.exit(1)`.",
  "client.no-server-exit-zero":
    "After printing the error, `sys.exit(1)`: the script must end with a non-zero status.",
  "client.error-on-stdout": "Print errors with `print(e, file=sys.stderr)`, not on stdout.",
  "client.usage":
    "sockgrade starts your client as `client.py <server-address> <port>` (sys.argv[1], sys.argv[2]) and your server as `server.py <allowed-client-address> <port>`: use them instead of input() or other arguments.",
  "client.traceback":
    "Run it by hand with the same arguments and read the last line of the traceback.",
  "client.unbound":
    "Call `sock.bind(sys.argv[2])` ({clientPath}, after `os.unlink` of a stale file there) before `connect()` or the first `sendto()`: the server tells its client by that path.",
  "client.wrong-path":
    "Call `sock.bind(sys.argv[2])` with exactly that path ({clientPath}), not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: `sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))`, then `sock.sendall(...)` each message as a line.",
  "client.wrong-transport.udp":
    "The assignment is over UDP: `sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)` (AF_INET6 for an IPv6 address) and one `sock.sendto(message.encode(), (sys.argv[1], int(sys.argv[2])))` per message; there is no connection.",
  "client.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: `sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)`, `sock.bind(sys.argv[2])`, `sock.connect(sys.argv[1])`, then `sock.sendall(...)` each message as a line.",
  "client.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)`, `sock.bind(sys.argv[2])`, then one `sock.sendto(message.encode(), sys.argv[1])` per message.",
  "messages.split":
    "Call `sock.sendto(message.encode(), server)` once per message with the whole message, never a message in pieces.",
  "messages.datagram-nul":
    'Send `message.encode()` only, without a `b"\\x00"` after it: a datagram carries its own length.',
  "messages.too-large":
    "Send `message.encode()` as the datagram, not a large `bytes` buffer: a datagram larger than the socket's send buffer raises `OSError` (EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams":
    'Call `sock.sendto()` once per message and never with `b""` (e.g. for an empty line or a final marker).',
  "server.wrong-transport.tcp":
    'The assignment is over TCP: `sock = socket.create_server(("", int(sys.argv[2])))` (`family=socket.AF_INET6` for IPv6), then `conn, peer = sock.accept()` for each client.',
  "server.wrong-transport.udp":
    'The assignment is over UDP: `sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)`, `sock.bind(("", int(sys.argv[2])))`, then `data, peer = sock.recvfrom(65536)` for each datagram; no listen() or accept().',
  "server.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: `sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)`, `sock.bind(sys.argv[2])` (after removing a stale file), `sock.listen()`, then `conn, peer = sock.accept()` for each client.",
  "server.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)`, `sock.bind(sys.argv[2])` (after removing a stale file), then `data, peer = sock.recvfrom(65536)` for each datagram; no listen() or accept().",
  "server.stale-socket":
    "Remove a stale socket file before `sock.bind(sys.argv[2])`: `with contextlib.suppress(FileNotFoundError): os.unlink(sys.argv[2])`; a killed server leaves it behind, and bind() then raises `OSError: [Errno 98] Address already in use`.",
  "server.wrong-path":
    "Call `sock.bind(sys.argv[2])` with the path as it is given (an absolute path), not a name of your own.",
  "server.address-check.udp":
    "Compare the host of `data, (host, port) = sock.recvfrom(65536)` with `sys.argv[1]` and skip (print nothing for) a datagram from any other host.",
  "server.address-check.unix-stream":
    "Compare the peer path of `conn, peer = sock.accept()` with `sys.argv[1]` and `conn.close()` any other client; `peer` is empty for a client that bound no path.",
  "server.address-check.unix-dgram":
    "Compare the sender path of `data, peer = sock.recvfrom(65536)` with `sys.argv[1]` and skip a datagram from any other path; `peer` is `None` or empty for a socket that bound none.",
  "messages.packed":
    "Call `sock.sendto(message.encode(), server)` once per message: a datagram is one message.",
  "messages.datagram-padding":
    "Send only the message's bytes, e.g. `sock.sendto(message.encode(), server)`, not a fixed-size buffer.",
  "messages.nothing-sent":
    "After connecting, send each message followed by '\\n', e.g. `sock.sendall(b\"{trigger}\\n\")`.",
  "messages.newline": "End every message with '\\n', e.g. `sock.sendall(b\"{trigger}\\n\")`.",
  "messages.padding":
    'Send only the message\'s bytes, e.g. `sock.sendall((msg + "\\n").encode())`, not a fixed-size buffer.',
  "messages.nul-after-newline": 'Do not add `\\0` (or `b"\\x00"`) after a message.',
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not `\\0`, e.g. `sock.sendall(b\"{trigger}\\n\")`.",
  "server.usage":
    "sockgrade starts your server as `server.py <allowed-client-address> <port>` (sys.argv[1], sys.argv[2]) and your client as `client.py <server-address> <port>`: use them instead of input() or other arguments.",
  "server.exited-early":
    "Run it by hand with the same arguments and read the last line of the traceback (set `SO_REUSEADDR` before bind()).",
  "server.not-listening":
    'It must listen on the port given as its second argument (here {port}): `sock.bind(("", int(sys.argv[2])))` then `sock.listen()`.',
  "server.wrong-port": "Read the port from `int(sys.argv[2])` instead of hard-coding it.",
  "server.wrong-address":
    'Bind every address, `sock.bind(("", port))`; sys.argv[1] is the allowed CLIENT address, not where to listen.',
  "server.daemonized":
    "Stay in the foreground: do not `os.fork()` and exit in the parent; keep accepting connections in the started process.",
  "server.bare-trigger-only":
    'Remove the line ending before comparing: `line.rstrip("\\r\\n") == "{trigger}"`.',
  "server.no-response":
    'Compare each received line with the trigger (`line.rstrip("\\r\\n") == "{trigger}"`) and `print("{response}", flush=True)`.',
  "server.near-miss-prefix": "not only its first characters (`startswith`)",
  "server.near-miss-substring": "not a substring (`in`)",
  "server.near-miss-case": "not ignoring case (`lower()`)",
  "server.near-miss-trim": "without `strip()` (only the '\\r\\n' is removed)",
  "server.exact-compare":
    'Compare the whole line with the trigger (`line.rstrip("\\r\\n") == "{trigger}"`){why}.',
  "server.framing-split":
    "`recv()` may return part of a message: read lines with `for line in conn.makefile(\"rb\")`, or buffer until '\\n'.",
  "server.framing-two-in-one":
    "One `recv()` may hold several messages: read lines with `conn.makefile(\"rb\")`, or split the buffer at each '\\n'.",
  "server.framing-close":
    "When `recv()` returns `b\"\"`, handle what is left in your buffer as the last message (a line from makefile() may lack its '\\n').",
  "server.framing-crlf": 'Drop the line ending with `line.rstrip("\\r\\n")` before comparing.',
  "server.address-check.tcp":
    "Compare the peer address from `conn, (host, port) = sock.accept()` with `sys.argv[1]` and `conn.close()` other clients.",
  "server.concurrency":
    "Serve each client on its own: `threading.Thread(target=handle, args=(conn,), daemon=True).start()` per connection, or `socketserver.ThreadingTCPServer`.",
  "server.robust-close":
    '`recv()` returning `b""` means the client left: close that connection and keep accepting.',
  "server.robust-reset":
    "Catch `ConnectionResetError` (an `OSError`) per connection, so a reset ends that connection only.",
  "server.robust-binary":
    'Treat received bytes as data: compare bytes, or decode with `errors="replace"`, so a `UnicodeDecodeError` cannot end the server.',
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `print(..., file=sys.stderr)`, once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `print(..., file=sys.stderr)` and keep stdout for the response.",
  "server.output-flush":
    'Print the response with `print("{response}", flush=True)`: stdout is buffered when it is not a terminal.',
  "server.datagram-whole":
    'Take each datagram as one whole message: compare `data` of `data, peer = sock.recvfrom(65536)` with the trigger (over UDP after `data.removesuffix(b"\\n")`, once); do not split it into lines (no `splitlines()`) or join datagrams.',
  "server.address-reject.tcp":
    "Reject a client that is not allowed with `conn.close()` (not `sock.close()`), then loop back to `sock.accept()`.",
  "server.address-reject.udp":
    "Skip a datagram from another host (`continue` back to `sock.recvfrom()`): do not `sock.connect()` to a sender, answer it or exit.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) with `conn.close()`, then loop back to `sock.accept()`.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket (`continue` back to `sock.recvfrom()`): `peer` may be `None`, so compare before using it, and never exit.",
};
