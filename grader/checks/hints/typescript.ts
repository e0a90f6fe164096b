/**
 * Hints for TypeScript on Deno: `Deno.args`, `Deno.listen`/`Deno.connect`, `console.error`;
 * datagrams through `Deno.listenDatagram` (UDP and `unixpacket`, a Unix datagram socket), which
 * needs `"unstable": ["net"]` in the submission's deno.json (sockgrade runs a program without a
 * config of its own with `--no-config`). `Deno.connect` cannot bind a Unix client's path.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The TypeScript (Deno) wordings. */
export const TYPESCRIPT_HINTS: LanguageHints = {
  "client.connect-args":
    "Connect to the address and port given on the command line: `Deno.connect({ hostname: Deno.args[0], port: Number(Deno.args[1]) })`.",
  "client.hangs-after-sending":
    "After sending the last message, `conn.close()` and let the script end (no pending timers or reads): do not wait for an answer.",
  "client.crash-segv": "Run it by hand with the same arguments to see where it stops.",
  "client.exit-status": "Let the script end normally (or `Deno.exit(0)`) when everything was sent.",
  "client.reset": "A reset can lose data the server has not read yet: `conn.close()` normally.",
  "client.no-server-error":
    "Catch the error of `Deno.connect`, `console.error(e.message)` and `Deno.exit(1)`.",
  "client.no-server-retries":
    "Do not retry forever: catch the error of `Deno.connect`, `console.error(e.message)` and `Deno.exit(1)`.",
  "client.no-server-crash":
    "Catch the error of `Deno.connect`, `console.error(e.message)` and `Deno.exit(1)`.",
  "client.no-server-exit-zero": "After printing the error, `Deno.exit(1)`.",
  "client.error-on-stdout": "Print errors with `console.error(...)`, not console.log.",
  "client.usage":
    "sockgrade starts your client as `client.ts <server-address> <port>` (Deno.args[0], Deno.args[1]) and your server as `server.ts <allowed-client-address> <port>`: use them instead of prompt() or other arguments.",
  "client.traceback": "Run it by hand with the same arguments and read the error's first line.",
  "messages.nothing-sent":
    "After connecting, write each message followed by '\\n': `await conn.write(new TextEncoder().encode(\"{trigger}\\n\"))`.",
  "messages.newline":
    "End every message with '\\n': `await conn.write(new TextEncoder().encode(msg + \"\\n\"))`.",
  "messages.padding":
    'Write only the message\'s bytes, `new TextEncoder().encode(msg + "\\n")`, not a fixed-size Uint8Array.',
  "messages.nul-after-newline": "Do not write a `\\0` after a message.",
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not `\\0`: `new TextEncoder().encode(msg + \"\\n\")`.",
  "server.usage":
    "sockgrade starts your server as `server.ts <allowed-client-address> <port>` (Deno.args[0], Deno.args[1]) and your client as `client.ts <server-address> <port>`: use them instead of prompt() or other arguments.",
  "server.exited-early": "Run it by hand with the same arguments and read the error.",
  "server.not-listening":
    "It must listen on the port given as its second argument (here {port}): `Deno.listen({ port: Number(Deno.args[1]) })`.",
  "server.wrong-port": "Read the port from `Number(Deno.args[1])` instead of hard-coding it.",
  "server.wrong-address":
    "Listen on every address, `Deno.listen({ port })`; Deno.args[0] is the allowed CLIENT address, not where to listen.",
  "server.daemonized":
    "Stay in the foreground: keep accepting connections in the started script instead of starting another process and returning.",
  "server.no-response":
    'Compare each received line with the trigger (`line === "{trigger}"` after removing \'\\n\') and `console.log("{response}")`.',
  "server.near-miss-prefix": "not only its first characters (`startsWith`)",
  "server.near-miss-substring": "not a substring (`includes`)",
  "server.near-miss-case": "not ignoring case (`toLowerCase`)",
  "server.near-miss-trim": "without `trim()`",
  "server.exact-compare": 'Compare the whole line with `line === "{trigger}"`{why}.',
  "server.framing-split":
    "A read may return part of a message: pipe the connection through `TextDecoderStream` and a line splitter, or buffer until '\\n'.",
  "server.framing-two-in-one":
    "One read may hold several messages: split what you read at each '\\n' and handle every line.",
  "server.address-check.tcp":
    "Compare `(conn.remoteAddr as Deno.NetAddr).hostname` with Deno.args[0] and `conn.close()` other clients.",
  "server.concurrency":
    "Serve each client on its own: in the accept loop call `handle(conn)` without `await`, so the next connection is accepted at once.",
  "server.robust-reset":
    "Catch the error of a read per connection, so a reset ends that connection only.",
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `console.error`, once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `console.error` and keep stdout (console.log) for the response.",
  "client.unbound":
    'Over unix-dgram, open the socket with `Deno.listenDatagram({ transport: "unixpacket", path: Deno.args[1] })` ({clientPath}, after `Deno.removeSync` of a stale file; it needs `"unstable": ["net"]` in your deno.json) and send from it; `Deno.connect({ transport: "unix" })` cannot bind a path, so the server cannot tell such a client by its path.',
  "client.wrong-path":
    "Use exactly Deno.args[1] ({clientPath}) as the `path` of `Deno.listenDatagram`, not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: `Deno.connect({ hostname: Deno.args[0], port: Number(Deno.args[1]) })`, then write each message as a line.",
  "client.wrong-transport.udp":
    'The assignment is over UDP: `const sock = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 })` ("::" for IPv6), then one `await sock.send(bytes, { transport: "udp", hostname: Deno.args[0], port: Number(Deno.args[1]) })` per message (`Deno.listenDatagram` needs `"unstable": ["net"]` in your deno.json).',
  "client.wrong-transport.unix-stream":
    'The assignment is over Unix stream sockets: `Deno.connect({ transport: "unix", path: Deno.args[0] })`, then write each message as a line; Deno cannot bind the client path (Deno.args[1]) the server filters by.',
  "client.wrong-transport.unix-dgram":
    'The assignment is over Unix datagram sockets: `const sock = Deno.listenDatagram({ transport: "unixpacket", path: Deno.args[1] })` (it binds the client path), then one `await sock.send(bytes, { transport: "unixpacket", path: Deno.args[0] })` per message (`Deno.listenDatagram` needs `"unstable": ["net"]` in your deno.json).',
  "messages.packed":
    "Call `sock.send(...)` once per message, each with just that message's bytes (`new TextEncoder().encode(msg)`): a datagram is one message, the server does not split it at '\\n'.",
  "messages.split":
    "Send each message whole in one `sock.send(...)`: one call per message, never a message in pieces.",
  "messages.datagram-padding":
    "Send `new TextEncoder().encode(msg)` as the datagram, not a fixed-size Uint8Array (or pass `buf.subarray(0, n)`).",
  "messages.datagram-nul":
    "Send `new TextEncoder().encode(msg)` alone, without a `\\0` after it: a datagram carries its own length.",
  "messages.too-large":
    "Send `new TextEncoder().encode(msg)` as the datagram, not a large Uint8Array: a datagram larger than the socket's send buffer is refused (`send` rejects: EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams":
    "Call `sock.send(...)` once per message and never with an empty Uint8Array (e.g. for an empty line or a final marker).",
  "server.wrong-transport.tcp":
    "The assignment is over TCP: `const listener = Deno.listen({ port: Number(Deno.args[1]) })`, then `for await (const conn of listener)` each client.",
  "server.wrong-transport.udp":
    'The assignment is over UDP: `const sock = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: Number(Deno.args[1]) })`, then `const [data, from] = await sock.receive()` for each datagram (with `"unstable": ["net"]` in your deno.json); there is nothing to accept.',
  "server.wrong-transport.unix-stream":
    'The assignment is over Unix stream sockets: remove a stale file at Deno.args[1], `Deno.listen({ transport: "unix", path: Deno.args[1] })`, then `for await (const conn of listener)` each client.',
  "server.wrong-transport.unix-dgram":
    'The assignment is over Unix datagram sockets: remove a stale file at Deno.args[1], `Deno.listenDatagram({ transport: "unixpacket", path: Deno.args[1] })`, then `const [data, from] = await sock.receive()` for each datagram (with `"unstable": ["net"]` in your deno.json).',
  "server.stale-socket":
    "Remove the socket file before listening: `try { Deno.removeSync(Deno.args[1]); } catch (e) { if (!(e instanceof Deno.errors.NotFound)) throw e; }`; a killed server leaves it behind, and listening then fails with `AddrInUse`.",
  "server.wrong-path":
    "Listen at Deno.args[1] as it is given (an absolute path), not a path of your own.",
  "server.address-check.udp":
    "Compare `(from as Deno.NetAddr).hostname` of `const [data, from] = await sock.receive()` with Deno.args[0] and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Compare the client's path, `(conn.remoteAddr as Deno.UnixAddr).path`, with Deno.args[0] and `conn.close()` any other client, one that bound no path included.",
  "server.address-check.unix-dgram":
    "Compare `(from as Deno.UnixAddr).path` of `const [data, from] = await sock.receive()` with Deno.args[0] and skip a datagram from any other path, one from a socket that bound none included.",
  "server.datagram-whole":
    "Take each datagram as one whole message: `new TextDecoder().decode(data)` of `const [data, from] = await sock.receive()`, over UDP without at most one trailing '\\n', compared with `===`; do not split it into lines or join datagrams.",
  "server.address-reject.tcp":
    "Reject a client that is not allowed with `conn.close()` and keep the `for await (const conn of listener)` loop going.",
  "server.address-reject.udp":
    "Skip a datagram from another address (`continue` back to `await sock.receive()`): do not answer it or leave the loop.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) with `conn.close()` and keep the `for await (const conn of listener)` loop going.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket (`continue` back to `await sock.receive()`): do not answer it or leave the loop.",
};
