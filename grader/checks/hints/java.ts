/**
 * Hints for Java: `args`, `java.net.Socket`/`ServerSocket`, `DatagramSocket`, Unix stream
 * sockets through `SocketChannel` with `UnixDomainSocketAddress` (Java 16 or later),
 * `BufferedReader.readLine`, `System.err`, exceptions. Java's standard library has no Unix
 * datagram socket: its `unix-dgram` hints say so.
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
  "server.address-check.tcp":
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
  "client.unbound":
    "Call `channel.bind(UnixDomainSocketAddress.of(args[1]))` ({clientPath}, after `Files.deleteIfExists(Path.of(args[1]))`) before `channel.connect(...)`: the server tells its client by that path.",
  "client.wrong-path":
    "Bind exactly `UnixDomainSocketAddress.of(args[1])` ({clientPath}), not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: `new Socket(args[0], Integer.parseInt(args[1]))`, then write each message as a line to its output stream.",
  "client.wrong-transport.udp":
    "The assignment is over UDP: `new DatagramSocket()` and one `socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(args[0]), Integer.parseInt(args[1])))` per message; there is no connection.",
  "client.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets (Java 16 or later): `SocketChannel.open(StandardProtocolFamily.UNIX)`, `channel.bind(UnixDomainSocketAddress.of(args[1]))`, `channel.connect(UnixDomainSocketAddress.of(args[0]))`, then write each message as a line.",
  "client.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets, which Java's standard library does not offer (`DatagramSocket` and `DatagramChannel` are IP only, a UNIX `SocketChannel` is a stream): the client must bind args[1] and send one datagram per message to args[0], so ask whether another language may be used.",
  "messages.packed":
    "Send each message in a `DatagramPacket` of its own (one `socket.send(packet)` per message): a datagram is one message, the server does not split it at '\\n'.",
  "messages.split":
    "Send each message whole in one `DatagramPacket`: one `socket.send(packet)` per message, never a message in pieces.",
  "messages.datagram-padding":
    "`new DatagramPacket(buf, buf.length, ...)` sends the whole array: build the packet from `msg.getBytes(StandardCharsets.UTF_8)` and its length.",
  "messages.datagram-nul":
    "Build each `DatagramPacket` from `msg.getBytes(StandardCharsets.UTF_8)` alone, without a `'\\0'` after it: a datagram carries its own length.",
  "messages.too-large":
    "Build each `DatagramPacket` from `msg.getBytes(StandardCharsets.UTF_8)`, not a large `byte[]`: a datagram larger than the socket's send buffer is refused (an `IOException`: EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams":
    "Send one `DatagramPacket` per message and none of length 0 (e.g. for an empty line or a final marker).",
  "server.wrong-transport.tcp":
    "The assignment is over TCP: `new ServerSocket(Integer.parseInt(args[1]))`, then `accept()` each client.",
  "server.wrong-transport.udp":
    "The assignment is over UDP: `new DatagramSocket(Integer.parseInt(args[1]))`, then `socket.receive(packet)` for each datagram (its sender is `packet.getAddress()`); there is nothing to accept.",
  "server.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets (Java 16 or later): `ServerSocketChannel.open(StandardProtocolFamily.UNIX)`, `Files.deleteIfExists(Path.of(args[1]))`, `server.bind(UnixDomainSocketAddress.of(args[1]))`, then `server.accept()` each client.",
  "server.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets, which Java's standard library does not offer (`DatagramSocket` and `DatagramChannel` are IP only): the server must bind args[1] and read each datagram with its sender's path, so ask whether another language may be used.",
  "server.stale-socket":
    "Call `Files.deleteIfExists(Path.of(args[1]))` before `bind(UnixDomainSocketAddress.of(args[1]))`: a killed server leaves its socket file behind, and bind then throws `BindException: Address already in use`.",
  "server.wrong-path":
    "Bind `UnixDomainSocketAddress.of(args[1])` with the path as it is given (an absolute path), not a name of your own.",
  "server.address-check.udp":
    "Compare `packet.getAddress()` of each received `DatagramPacket` with `InetAddress.getByName(args[0])` (`equals`) and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Compare `((UnixDomainSocketAddress) channel.getRemoteAddress()).getPath()` of each accepted channel with `Path.of(args[0])` and close any other client's channel, one that bound no path (an empty path) included.",
  "server.address-check.unix-dgram":
    "Compare each datagram's sender path with args[0] and skip any other; Java's standard library has no Unix datagram socket (`DatagramChannel` is IP only), so this needs a library that offers one.",
  "server.datagram-whole":
    "Take each `DatagramPacket` as one whole message: `new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)`, over UDP without at most one trailing '\\n', compared with `equals`; do not split it into lines or join packets.",
  "server.address-reject.tcp":
    "Reject a client that is not allowed with `close()` on the accepted `Socket` (not the `ServerSocket`), then loop back to `accept()`.",
  "server.address-reject.udp":
    "Skip a packet from another address (`continue` back to `socket.receive(packet)`): do not `socket.connect(...)` to a sender, answer it or exit.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) with `close()` on the accepted channel, then loop back to `server.accept()`.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket and keep reading; Java's standard library has no Unix datagram socket (`DatagramChannel` is IP only), so this needs a library that offers one.",
};
