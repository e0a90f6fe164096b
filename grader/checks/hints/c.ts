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
  "server.address-check":
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
};
