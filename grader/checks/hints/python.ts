/**
 * Hints for Python 3: `sys.argv`, the `socket` module, `print(..., flush=True)`, exceptions.
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
  "server.address-check":
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
};
