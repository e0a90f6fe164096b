/**
 * Hints for C: the catalogue's causes in the words of the C library and POSIX sockets
 * (`argv`, `htons`, `recv`, `fflush`, `perror`, …). Causes not listed use the generic wording.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The C wordings. */
export const C_HINTS: LanguageHints = {
  "client.connect-args":
    "Connect to the address and port given on the command line: `inet_pton(AF_INET, argv[1], &addr.sin_addr)` and `addr.sin_port = htons(atoi(argv[2]))`, then `connect()`.",
  "client.hangs-after-sending":
    "After sending the last message, `close()` the socket and return from main: do not wait for an answer (the server sends none).",
  "client.crash-segv":
    "A segmentation fault: check array sizes, pointers and argv use (argc may be smaller than you think); run it under a debugger.",
  "client.crash-sigpipe": "It wrote to a connection the server had closed; check send()'s result.",
  "client.exit-status": "Return 0 from main when everything was sent.",
  "client.reset":
    "A reset can lose data the server has not read yet: `close()` the socket normally (no SO_LINGER with a zero timeout).",
  "client.no-server-error":
    'When connect() fails, print why on stderr (e.g. `perror("connect")`) and exit with a non-zero status (`return 1;`).',
  "client.no-server-retries":
    'Do not retry forever: when connect() fails, print why on stderr (e.g. `perror("connect")`) and `return 1;`.',
  "client.no-server-crash":
    'Check connect()\'s return value: it is -1 when nobody listens; then `perror("connect")` and `return 1;`.',
  "client.no-server-exit-zero":
    "Exit with a non-zero status (`return 1;` or `exit(EXIT_FAILURE)`) when connect() fails.",
  "client.error-on-stdout":
    'Print errors on stderr (`perror("connect")` or `fprintf(stderr, ...)`), not with printf.',
  "client.usage":
    "sockgrade starts your client as `client <server-address> <port>` (argv[1], argv[2]) and your server as `server <allowed-client-address> <port>`: check `argc == 3` and use them.",
  "client.unbound":
    "Fill a `struct sockaddr_un` with argv[2] ({clientPath}), `unlink(argv[2])`, then `bind()` it before `connect()` or the first `sendto()`: the server tells its client by that path.",
  "client.wrong-path":
    "`bind()` a `struct sockaddr_un` holding exactly argv[2] ({clientPath}), not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: `socket(AF_INET, SOCK_STREAM, 0)` (AF_INET6 for an IPv6 address), `connect()` to argv[1] and port argv[2], then `send()` each message as a line.",
  "client.wrong-transport.udp":
    "The assignment is over UDP: `socket(AF_INET, SOCK_DGRAM, 0)` (AF_INET6 for an IPv6 address) and one `sendto()` per message to argv[1] and port argv[2]; there is no connect() to wait for.",
  "client.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: `socket(AF_UNIX, SOCK_STREAM, 0)`, `bind()` a `struct sockaddr_un` holding argv[2], `connect()` to argv[1], then `send()` each message as a line.",
  "client.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `socket(AF_UNIX, SOCK_DGRAM, 0)`, `bind()` a `struct sockaddr_un` holding argv[2], then one `sendto()` per message to argv[1].",
  "messages.split":
    "Call `sendto()` once per message with the whole message, never a message in pieces.",
  "messages.empty-datagrams":
    "Call `sendto()` once per message and never with a length of 0 (e.g. for an empty line or a final marker).",
  "server.wrong-transport.tcp":
    "The assignment is over TCP: `socket(AF_INET, SOCK_STREAM, 0)` (AF_INET6 for an IPv6 address), `bind()` port argv[2], `listen()`, then `accept()` each client.",
  "server.wrong-transport.udp":
    "The assignment is over UDP: `socket(AF_INET, SOCK_DGRAM, 0)` (AF_INET6 for an IPv6 address), `bind()` port argv[2], then read each datagram with `recvfrom()`, which gives its sender; no listen() or accept().",
  "server.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: `socket(AF_UNIX, SOCK_STREAM, 0)`, `unlink(argv[2])`, `bind()` a `struct sockaddr_un` holding argv[2], `listen()`, then `accept()` each client.",
  "server.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `socket(AF_UNIX, SOCK_DGRAM, 0)`, `unlink(argv[2])`, `bind()` a `struct sockaddr_un` holding argv[2], then read each datagram with `recvfrom()`; no listen() or accept().",
  "server.stale-socket":
    "Call `unlink(argv[2])` before `bind()` (ignoring ENOENT): a server that crashed or was killed leaves its socket file behind, and bind() then fails with EADDRINUSE.",
  "server.wrong-path":
    "`bind()` a `struct sockaddr_un` holding argv[2] as it is given (an absolute path, copied whole into `sun_path`).",
  "server.address-check.udp":
    "Pass a `struct sockaddr_storage` to `recvfrom()`, compare its address (`inet_ntop`) with argv[1] and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Pass a `struct sockaddr_un` to `accept()`, compare its `sun_path` with argv[1] (`strcmp`) and close() any other client's connection; a client that bound no path has an empty one (`len <= sizeof(sa_family_t)`).",
  "server.address-check.unix-dgram":
    "Pass a `struct sockaddr_un` to `recvfrom()`, compare its `sun_path` with argv[1] (`strcmp`) and skip a datagram from any other path; a socket that bound none has an empty one (`len <= sizeof(sa_family_t)`).",
  "messages.packed":
    "Call `sendto()` once per message, each with just that message's bytes (`strlen(msg)`): a datagram is one message.",
  "messages.datagram-padding":
    "`sendto(fd, buf, sizeof buf, ...)` sends the whole buffer as the datagram; send `strlen(buf)` bytes instead.",
  "messages.datagram-nul":
    "Send `strlen(buf)` bytes, not `strlen(buf)+1`: a datagram carries its own length.",
  "messages.too-large":
    "Send `strlen(msg)` bytes, not `sizeof` a large buffer: a datagram larger than the socket's send buffer is refused (EMSGSIZE or ENOBUFS), as the article warns.",
  "messages.nothing-sent":
    'After connect(), write each message followed by \'\\n\', e.g. `send(fd, "{trigger}\\n", strlen("{trigger}\\n"), 0)`.',
  "messages.newline":
    'End every message with \'\\n\', e.g. `send(fd, "{trigger}\\n", strlen("{trigger}\\n"), 0)`.',
  "messages.padding":
    "`send(fd, buf, sizeof buf, 0)` sends the whole buffer; send `strlen(buf)` bytes instead.",
  "messages.nul-after-newline": "Send strlen(buf) bytes, not strlen(buf)+1.",
  "messages.nul-instead-of-newline":
    'Send strlen(buf) bytes, not strlen(buf)+1, and end every message with \'\\n\', e.g. `send(fd, "{trigger}\\n", strlen("{trigger}\\n"), 0)`.',
  "server.usage":
    "sockgrade starts your server as `server <allowed-client-address> <port>` (argv[1], argv[2]) and your client as `client <server-address> <port>`: check `argc == 3` and use them.",
  "server.exited-early":
    "Run it by hand with the same arguments and read its error; check the return values of socket(), bind() and listen() (and set SO_REUSEADDR).",
  "server.not-listening":
    "It must listen on the port given as its second argument (here {port}): `addr.sin_port = htons(atoi(argv[2]))`, bind() then listen().",
  "server.wrong-port":
    "Read the port from argv[2] (`htons(atoi(argv[2]))`) instead of hard-coding it.",
  "server.wrong-address":
    "Bind INADDR_ANY (or the server address); argv[1] is the allowed CLIENT address, not where to listen.",
  "server.daemonized":
    "Stay in the foreground: do not fork() and exit in the parent (daemonize), and do not call daemon(); loop on accept() in the started process.",
  "server.bare-trigger-only":
    "Remove the '\\n' (and a '\\r' before it) before comparing, e.g. `line[strcspn(line, \"\\r\\n\")] = '\\0';`.",
  "server.no-response":
    'Compare each received line with the trigger (`strcmp(line, "{trigger}") == 0` after removing the \'\\n\') and `printf("{response}\\n"); fflush(stdout);`.',
  "server.near-miss-prefix": "not only its first characters (strncmp with the trigger's length)",
  "server.near-miss-substring": "not a substring (strstr)",
  "server.near-miss-case": "not ignoring case (strcasecmp)",
  "server.exact-compare":
    "Compare the whole line with the trigger (strcmp after removing '\\n'){why}.",
  "server.framing-split":
    "Each recv() may hold part of a message: append what you read to a buffer and handle it only up to each '\\n'.",
  "server.framing-two-in-one":
    "One recv() may hold several messages: split the buffer at each '\\n' and handle every line.",
  "server.framing-close":
    "When recv() returns 0, handle what is left in your buffer as the last message.",
  "server.framing-crlf":
    "Drop a '\\r' right before the '\\n', e.g. `line[strcspn(line, \"\\r\\n\")] = '\\0';`.",
  "server.address-check.tcp":
    "Compare the peer address from accept() (`inet_ntop(AF_INET, &peer.sin_addr, ...)`) with argv[1] and close() other clients' connections.",
  "server.concurrency":
    "Serve each client on its own: fork() a child per connection, a thread per connection, or select()/poll() over all sockets.",
  "server.robust-close":
    "recv() returning 0 means the client left: close() that connection and keep accepting.",
  "server.robust-reset":
    "recv() returning -1 (ECONNRESET) must end that connection only, not the server; ignore SIGPIPE.",
  "server.robust-long-line":
    "Read into a fixed-size buffer with a length limit and never write past its end.",
  "server.robust-binary":
    "Treat received bytes as data: a NUL must not cut your buffer handling short (use lengths, not strlen).",
  "server.output-flood":
    "Do not print in a loop (e.g. on every poll()/select() round); print diagnostics to stderr (`fprintf(stderr, ...)`), once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics to stderr (`fprintf(stderr, ...)`) and keep stdout for the response.",
  "server.output-flush":
    "Call `fflush(stdout)` after printf (or `setvbuf(stdout, NULL, _IOLBF, 0)` at start).",
  "server.datagram-whole":
    "Take each datagram as one whole message: compare the `n` bytes one `recvfrom()` returned (`buf[n] = '\\0'`, not up to a '\\n') with the trigger, over UDP dropping at most one trailing '\\n'; do not split it into lines or join datagrams.",
  "server.address-reject.tcp":
    "Reject a client that is not allowed with `close()` on its accepted socket only (not the listening one), then loop back to `accept()`.",
  "server.address-reject.udp":
    "Skip a datagram from another address (`continue` back to `recvfrom()`): do not `connect()` the socket to a sender, answer it or exit.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) with `close()` on its accepted socket only, then loop back to `accept()`.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket (`continue` back to `recvfrom()`): do not answer it or exit.",
};
