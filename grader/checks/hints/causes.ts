/**
 * The causes a check can give a hint for, and the language-neutral wording of each
 * ({@linkcode GENERIC}): the row every language module overrides where its own way differs. A
 * generic hint names no function of any one language, so it fits a submission whose language is
 * unknown (a Makefile of unknown sources, a `submission.json` command).
 *
 * Templates may hold `{name}` placeholders that the caller fills (see `mod.ts`).
 *
 * The causes of the transports (EXERCISE.md §6, {@linkcode TransportCause}) are rows every
 * language module must word in its own API: a Java student over UDP reads `DatagramSocket`, a Go
 * student over Unix datagrams `net.DialUnix`. Where the fix depends on the spec's transport, a
 * cause is a family of one row per transport ({@linkcode TransportFamily}: `server.address-check.udp`).
 *
 * @module
 */

import type { Transport } from "../../spec.ts";

/** The causes whose fix depends on the spec's transport: one row per transport, `family.transport`. */
export type TransportFamily =
  | "client.wrong-transport"
  | "server.wrong-transport"
  | "server.address-check"
  | "server.address-reject";

/**
 * The causes of the transports (a program of the wrong transport, a Unix client that binds no
 * path or another, a datagram client that packs, splits, pads or oversizes its messages, a Unix
 * server that keeps a stale socket file or binds another path, a datagram server that reads
 * lines, a server without an address filter or one that stops at a stranger): every language module words each of them.
 */
export type TransportCause =
  | `${TransportFamily}.${Transport}`
  | "client.unbound"
  | "client.wrong-path"
  | "messages.packed"
  | "messages.split"
  | "messages.datagram-padding"
  | "messages.datagram-nul"
  | "messages.too-large"
  | "messages.empty-datagrams"
  | "server.stale-socket"
  | "server.wrong-path"
  | "server.datagram-whole";

/** Why a hint is given. One row of the catalogue; every language module may override it. */
export type HintCause =
  | TransportCause
  | "client.start-failed"
  | "client.connect-args"
  | "client.hangs-after-sending"
  | "client.crash-segv"
  | "client.crash-sigpipe"
  | "client.crash-other"
  | "client.exit-status"
  | "client.left-open"
  | "client.reset"
  | "client.no-server-error"
  | "client.no-server-retries"
  | "client.no-server-crash"
  | "client.no-server-exit-zero"
  | "client.error-on-stdout"
  | "client.usage"
  | "client.traceback"
  | "messages.never-connected"
  | "messages.nothing-sent"
  | "messages.newline"
  | "messages.length-prefix"
  | "messages.padding"
  | "messages.nul-after-newline"
  | "messages.nul-instead-of-newline"
  | "messages.typo-fixed"
  | "messages.typo"
  | "messages.case"
  | "messages.whitespace"
  | "messages.changed"
  | "messages.reordered"
  | "messages.missing"
  | "messages.extra"
  | "messages.empty-lines"
  | "server.usage"
  | "server.exited-early"
  | "server.not-listening"
  | "server.wrong-port"
  | "server.wrong-address"
  | "server.daemonized"
  | "server.repeated-response"
  | "server.close-before-answer"
  | "server.bare-trigger-only"
  | "server.near-response"
  | "server.no-response"
  | "server.near-miss-prefix"
  | "server.near-miss-substring"
  | "server.near-miss-case"
  | "server.near-miss-trim"
  | "server.exact-compare"
  | "server.framing-split"
  | "server.framing-two-in-one"
  | "server.framing-close"
  | "server.framing-crlf"
  | "server.concurrency"
  | "server.robust-close"
  | "server.robust-reset"
  | "server.robust-long-line"
  | "server.robust-binary"
  | "server.output-flood"
  | "server.output-extra-lines"
  | "server.output-flush"
  | "pair.see-starts"
  | "pair.see-exits"
  | "pair.too-many"
  | "pair.too-few";

/** A full table: one wording per cause. */
export type HintTable = Record<HintCause, string>;

/**
 * A language's own wordings: every {@linkcode TransportCause}, and the other causes where its way
 * differs from {@linkcode GENERIC}.
 */
export type LanguageHints = Partial<HintTable> & Pick<HintTable, TransportCause>;

/** The language-neutral wording of every cause. */
export const GENERIC: HintTable = {
  "client.start-failed":
    "Check that the client builds to a program that can run (see build.client).",
  "client.connect-args":
    "Connect to the address and port given on the command line (the first and second argument), instead of hard-coding them.",
  "client.hangs-after-sending":
    "After sending the last message, close the socket and end the program: do not wait for an answer (the server sends none).",
  "client.crash-segv": "Run it by hand to see where it stops.",
  "client.crash-sigpipe":
    "It wrote to a connection the server had closed; check the result of each write.",
  "client.crash-other": "Run it by hand to see where it stops.",
  "client.exit-status": "End the program with status 0 when everything was sent.",
  "client.left-open": "Close the socket before exiting and do not leave child processes running.",
  "client.reset":
    "A reset can lose data the server has not read yet: close the socket normally instead of resetting it.",
  "client.no-server-error":
    "When connecting fails, print why on stderr and exit with a non-zero status.",
  "client.no-server-retries":
    "Do not retry forever: when connecting fails, print why on stderr and exit with a non-zero status.",
  "client.no-server-crash":
    "Handle a failed connection: print why on stderr and exit with a non-zero status.",
  "client.no-server-exit-zero": "Exit with a non-zero status when connecting fails.",
  "client.error-on-stdout": "Print error messages on stderr, not stdout.",
  "client.usage":
    "sockgrade starts your client as `client <server-address> <port>` and your server as `server <allowed-client-address> <port>`: read both arguments instead of asking for others.",
  "client.traceback": "Run it by hand with the same arguments and read the error.",
  "client.unbound":
    "Bind the client's socket to the path given as its second argument ({clientPath}), after removing a stale file there, before connect() or the first send: the server tells its client by that path.",
  "client.wrong-path":
    "Bind exactly the path given as the client's second argument ({clientPath}), not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: make a stream socket, connect it to the server's address and port (the two arguments) and write each message as a line ending in '\\n'.",
  "client.wrong-transport.udp":
    "The assignment is over UDP: make a datagram socket and send each message as one datagram to the server's address and port (the two arguments); there is no connection to wait for.",
  "client.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: make a Unix-domain stream socket, bind it to the client path (the second argument), connect it to the server path (the first) and write each message as a line.",
  "client.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: make a Unix-domain datagram socket, bind it to the client path (the second argument) and send each message as one datagram to the server path (the first).",
  "messages.never-connected":
    "Connect to the address and port given on the command line, then send the messages.",
  "messages.nothing-sent": "After connecting, write each message followed by '\\n'.",
  "messages.newline": "End every message with '\\n', e.g. send `{trigger}\\n`.",
  "messages.length-prefix":
    'Send the bytes of the message followed by "\\n" and nothing else (no length before it).',
  "messages.padding":
    "Send only the bytes of each message and its '\\n', not the whole buffer it is in.",
  "messages.nul-after-newline": "Do not send a '\\0' byte after a message.",
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not with a '\\0' byte, e.g. send `{trigger}\\n`.",
  "messages.typo-fixed": 'Send {want} exactly as written (with "{wantWord}", not "{gotWord}").',
  "messages.typo": "Copy the messages from the assignment character for character.",
  "messages.case": "Messages are compared exactly, case included.",
  "messages.whitespace": "Send no extra spaces or tabs before, inside or after a message.",
  "messages.changed": "Send each message exactly as the assignment writes it.",
  "messages.reordered": "Send the messages in the order the assignment lists them.",
  "messages.missing": "Send all {count} of the assignment, in order.",
  "messages.extra": "Send only the assignment's messages (no greetings, prompts or extra lines).",
  "messages.empty-lines": "Send one '\\n' after each message and nothing else.",
  "messages.packed":
    "Send each message as a datagram of its own (one send call per message): a datagram is one message, the server does not split it at '\\n'.",
  "messages.split":
    "Send each message whole in one datagram: one send call per message, never a message in pieces.",
  "messages.datagram-padding":
    "Send only the bytes of each message, not the whole buffer it is in: the server reads a datagram whole, padding included.",
  "messages.datagram-nul":
    "Send the message's bytes only, without a '\\0' after them: a datagram carries its own length.",
  "messages.too-large":
    "Send each message as a datagram of just its bytes, not a large buffer: a datagram larger than the socket's send buffer is refused (EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams": "Send one datagram per message and no empty datagrams.",
  "server.usage":
    "sockgrade starts your server as `server <allowed-client-address> <port>` and your client as `client <server-address> <port>`: read both arguments instead of asking for others.",
  "server.exited-early":
    "Run it by hand with the same arguments and read its error; check that creating, binding and listening on the socket succeed.",
  "server.not-listening":
    "It must listen on the port given as its second argument (here {port}), on every address.",
  "server.wrong-port": "Read the port from the second argument instead of hard-coding it.",
  "server.wrong-address":
    "Listen on every address (or the server address); the first argument is the allowed CLIENT address, not where to listen.",
  "server.daemonized":
    "Stay in the foreground: do not put the server into the background or end the started program; keep accepting connections in it.",
  "server.repeated-response": "Print the response once per message that equals the trigger.",
  "server.close-before-answer":
    "Handle each line as soon as its '\\n' arrives instead of reading until the connection ends.",
  "server.bare-trigger-only":
    "Remove the '\\n' (and a '\\r' before it) from the line before comparing it with the trigger.",
  "server.near-response":
    "Print exactly {response} followed by a newline, and nothing else on that line.",
  "server.no-response":
    "Compare each received line with the trigger and print the response to stdout at once.",
  "server.near-miss-prefix": "not only its first characters",
  "server.near-miss-substring": "not a substring search",
  "server.near-miss-case": "not ignoring case",
  "server.near-miss-trim": "without trimming spaces",
  "server.exact-compare":
    "Compare the whole line (without its '\\n') with the trigger for equality{why}.",
  "server.framing-split":
    "A message may arrive in several pieces: collect bytes until '\\n' before comparing.",
  "server.framing-two-in-one":
    "One read may hold several messages: split what you read at each '\\n'.",
  "server.framing-close":
    "When the client closes the connection, handle what is left of the last line as a message.",
  "server.framing-crlf": "Drop a '\\r' right before the '\\n' before comparing.",
  "server.wrong-transport.tcp":
    "The assignment is over TCP: make a stream socket, bind the port given as the second argument, listen, and accept each client's connection.",
  "server.wrong-transport.udp":
    "The assignment is over UDP: make a datagram socket, bind the port given as the second argument and read each datagram with its sender's address; there is no connection to accept.",
  "server.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: make a Unix-domain stream socket, bind the socket path given as the second argument, listen, and accept each client's connection.",
  "server.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: make a Unix-domain datagram socket, bind the socket path given as the second argument and read each datagram with its sender's path.",
  "server.stale-socket":
    "Remove the socket file before bind() at the server path (ignoring the error when there is none): a server that crashed or was killed leaves it behind, and bind() then fails with EADDRINUSE.",
  "server.wrong-path":
    "Bind the socket path given as the second argument, as it is given (an absolute path).",
  "server.datagram-whole":
    "Take each datagram as one whole message: compare what one receive returned (all its bytes, not up to a newline) with the trigger, over UDP dropping at most one trailing newline; do not split it into lines or join datagrams.",
  "server.address-check.tcp":
    "Compare the peer address of each accepted connection with the first argument and close the connection of any other client.",
  "server.address-check.udp":
    "Take the sender's address of each datagram you receive, compare it with the first argument and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Take the path each accepted client bound (its peer address), compare it with the first argument and close the connection of any other client, one that bound no path included.",
  "server.address-check.unix-dgram":
    "Take the sender's path of each datagram you receive, compare it with the first argument and skip a datagram from any other path, one from a socket that bound none included.",
  "server.address-reject.tcp":
    "Reject a client that is not allowed by closing its connection, then keep accepting.",
  "server.address-reject.udp":
    "Skip a datagram from an address that is not allowed (print nothing, answer nothing) and keep reading datagrams: do not stop, and do not tie the socket to one sender.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) by closing its connection, then keep accepting.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from a path that is not allowed (or from a socket that bound none) and keep reading datagrams: do not stop, and do not answer it.",
  "server.concurrency":
    "Serve each client on its own (a thread or process per connection, or one loop that waits on all sockets at once).",
  "server.robust-close":
    "A client that closes at once has left: close that connection and keep accepting.",
  "server.robust-reset":
    "A reset connection (ECONNRESET) must end that connection only, not the server.",
  "server.robust-long-line":
    "Bound what you keep of a line that never ends instead of growing or overflowing a buffer.",
  "server.robust-binary":
    "Treat received bytes as data: NUL and other bytes must not break your code.",
  "server.output-flood":
    "Do not print in a loop; print diagnostics to stderr, once per event, and keep stdout for the response.",
  "server.output-extra-lines": "Print diagnostics to stderr and keep stdout for the response.",
  "server.output-flush": "Flush stdout right after printing the response.",
  "pair.see-starts": "See server.starts.",
  "pair.see-exits": "See client.exits.",
  "pair.too-many": "Print {response} only for a message that is exactly {trigger}.",
  "pair.too-few": "Check that the server reads every message of the connection.",
};
