/**
 * Hints for Java: `args`, `java.net.Socket`/`ServerSocket`, `BufferedReader.readLine`,
 * `System.err`, exceptions.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The Java wordings. */
export const JAVA_HINTS: LanguageHints = {
  "client.connect-args":
    "Connect to the address and port given on the command line: `new Socket(args[0], Integer.parseInt(args[1]))`.",
  "client.hangs-after-sending":
    "After sending the last message, `socket.close()` and return from main (stop any other thread): do not wait for an answer (the server sends none).",
  "client.crash-segv": "Run it by hand with the same arguments to see where it stops.",
  "client.exit-status": "Return from main normally (or `System.exit(0)`) when everything was sent.",
  "client.reset":
    "A reset can lose data the server has not read yet: `socket.close()` normally (no `setSoLinger(true, 0)`).",
  "client.no-server-error":
    "Catch the `IOException` of `new Socket(...)`, `System.err.println(e)` and `System.exit(1)`.",
  "client.no-server-retries":
    "Do not retry forever: catch the `IOException`, `System.err.println(e)` and `System.exit(1)`.",
  "client.no-server-crash":
    "Catch the `IOException` of `new Socket(...)`, `System.err.println(e)` and `System.exit(1)`.",
  "client.no-server-exit-zero":
    "After printing the error, `System.exit(1)`: the program must end with a non-zero status.",
  "client.error-on-stdout": "Print errors with `System.err.println(...)`, not System.out.",
  "client.usage":
    "sockgrade starts your client as `java Client <server-address> <port>` (args[0], args[1]) and your server as `java Server <allowed-client-address> <port>`: use them instead of reading System.in or other arguments.",
  "client.traceback":
    "Run it by hand with the same arguments and read the exception's first line (its class and message).",
  "messages.nothing-sent":
    "After connecting, write each message followed by '\\n' and flush: `out.write(\"{trigger}\\n\".getBytes(StandardCharsets.UTF_8)); out.flush();`.",
  "messages.newline":
    "End every message with '\\n': `out.write((msg + \"\\n\").getBytes(StandardCharsets.UTF_8))`.",
  "messages.length-prefix":
    'Send the bytes of the message followed by "\\n" and nothing else, e.g. `out.write((msg + "\\n").getBytes(StandardCharsets.UTF_8))` instead of `writeUTF(msg)`.',
  "messages.padding":
    '`out.write(buf)` writes the whole array: write only the message\'s bytes, `(msg + "\\n").getBytes(StandardCharsets.UTF_8)`.',
  "messages.nul-after-newline": "Do not write a `'\\0'` after a message.",
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not `'\\0'`: `out.write((msg + \"\\n\").getBytes(StandardCharsets.UTF_8))`.",
  "server.usage":
    "sockgrade starts your server as `java Server <allowed-client-address> <port>` (args[0], args[1]) and your client as `java Client <server-address> <port>`: use them instead of reading System.in or other arguments.",
  "server.exited-early":
    "Run it by hand with the same arguments and read the exception's first line.",
  "server.not-listening":
    "It must listen on the port given as its second argument (here {port}): `new ServerSocket(Integer.parseInt(args[1]))`.",
  "server.wrong-port": "Read the port from `Integer.parseInt(args[1])` instead of hard-coding it.",
  "server.wrong-address":
    "Listen on every address, `new ServerSocket(port)`; args[0] is the allowed CLIENT address, not where to listen.",
  "server.daemonized":
    "Stay in the foreground: keep accepting connections in the started JVM instead of starting another process and returning.",
  "server.close-before-answer":
    "Handle each line as soon as `readLine()` returns it instead of reading until the connection ends.",
  "server.bare-trigger-only":
    "Read lines with `BufferedReader.readLine()` (it removes '\\n' and '\\r\\n') and compare with `equals`.",
  "server.no-response":
    'Read each line with `BufferedReader.readLine()`, compare with `line.equals("{trigger}")` and `System.out.println("{response}")`.',
  "server.near-miss-prefix": "not only its first characters (`startsWith`)",
  "server.near-miss-substring": "not a substring (`contains`)",
  "server.near-miss-case": "not ignoring case (`equalsIgnoreCase`)",
  "server.near-miss-trim": "without `trim()`",
  "server.exact-compare": 'Compare the whole line with `line.equals("{trigger}")`{why}.',
  "server.framing-split":
    "A read may return part of a message: read lines with `BufferedReader.readLine()` instead of single `read(buf)` calls.",
  "server.framing-two-in-one":
    "One read may hold several messages: read lines with `BufferedReader.readLine()` instead of single `read(buf)` calls.",
  "server.framing-close":
    "Handle the last line even without '\\n': `readLine()` returns it before returning null.",
  "server.framing-crlf":
    "Read lines with `BufferedReader.readLine()`, which removes '\\r\\n', or drop a trailing '\\r'.",
  "server.address-check":
    "Compare `socket.getInetAddress().getHostAddress()` of each accepted socket with args[0] and close other clients' sockets.",
  "server.concurrency":
    "Serve each client on its own: `new Thread(() -> handle(socket)).start()` per accepted socket, or an `ExecutorService`.",
  "server.robust-close":
    "`readLine()` returning null means the client left: close that socket and keep accepting.",
  "server.robust-reset":
    "Catch `IOException` per connection (in its thread), so a reset ends that connection only.",
  "server.robust-long-line":
    "Bound what you keep of a line that never ends (a `readLine()` of endless data grows without limit).",
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `System.err.println`, once per event, and keep System.out for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `System.err.println` and keep System.out for the response.",
  "server.output-flush":
    "Print the response with `System.out.println` (or call `System.out.flush()` after print).",
};
