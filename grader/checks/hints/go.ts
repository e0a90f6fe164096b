/**
 * Hints for Go: `os.Args`, the `net` package (`net.DialUnix` with a local address binds a Unix
 * client's path, `net.ListenUnixgram`), `bufio.Scanner`, `fmt.Fprintln(os.Stderr, …)`,
 * goroutines. Go's `os.Stdout` is not buffered: `fmt.Println` is written at once, a
 * `bufio.Writer` around it only when flushed.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The Go wordings. */
export const GO_HINTS: LanguageHints = {
  "client.connect-args":
    'Connect to the address and port given on the command line: `net.Dial("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))`.',
  "client.hangs-after-sending":
    "After sending the last message, `conn.Close()` and return from main: do not wait for an answer (the server sends none).",
  "client.crash-segv":
    "Run it by hand with the same arguments and read the panic's first line (a nil pointer or an index out of range).",
  "client.exit-status": "Return from main normally when everything was sent.",
  "client.reset":
    "A reset can lose data the server has not read yet: `conn.Close()` normally (no `SetLinger(0)`).",
  "client.no-server-error":
    "When `net.Dial` returns an error, `fmt.Fprintln(os.Stderr, err)` and `os.Exit(1)` (or `log.Fatal(err)`).",
  "client.no-server-retries":
    "Do not retry forever: when `net.Dial` fails, `fmt.Fprintln(os.Stderr, err)` and `os.Exit(1)`.",
  "client.no-server-crash":
    "Check the error `net.Dial` returns before using the connection: print it to os.Stderr and `os.Exit(1)`.",
  "client.no-server-exit-zero":
    "After printing the error, `os.Exit(1)`: the program must end with a non-zero status.",
  "client.error-on-stdout":
    "Print errors with `fmt.Fprintln(os.Stderr, err)` or `log.Print` (both go to stderr), not fmt.Println.",
  "client.usage":
    "sockgrade starts your client as `./client <server-address> <port>` (os.Args[1], os.Args[2]) and your server as `./server <allowed-client-address> <port>`: use them instead of reading os.Stdin or other arguments.",
  "client.traceback":
    "Run it by hand with the same arguments and read the first line of the panic or error.",
  "messages.nothing-sent":
    "After connecting, write each message followed by '\\n', e.g. `fmt.Fprint(conn, \"{trigger}\\n\")`.",
  "messages.newline": "End every message with '\\n', e.g. `fmt.Fprint(conn, msg+\"\\n\")`.",
  "messages.padding":
    'Write only the message\'s bytes, `conn.Write([]byte(msg + "\\n"))`, not a whole fixed-size buffer.',
  "messages.nul-after-newline": "Do not write a `0` byte after a message.",
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not a `0` byte: `conn.Write([]byte(msg + \"\\n\"))`.",
  "server.usage":
    "sockgrade starts your server as `./server <allowed-client-address> <port>` (os.Args[1], os.Args[2]) and your client as `./client <server-address> <port>`: use them instead of reading os.Stdin or other arguments.",
  "server.exited-early":
    "Run it by hand with the same arguments and read the error it prints (check every error `net.Listen` and `Accept` return).",
  "server.not-listening":
    'It must listen on the port given as its second argument (here {port}): `net.Listen("tcp", ":"+os.Args[2])`.',
  "server.wrong-port": "Read the port from `os.Args[2]` instead of hard-coding it.",
  "server.wrong-address":
    'Listen on every address, `net.Listen("tcp", ":"+port)`; os.Args[1] is the allowed CLIENT address, not where to listen.',
  "server.daemonized":
    "Stay in the foreground: keep accepting connections in the started process instead of starting another one and exiting.",
  "server.close-before-answer":
    "Handle each line as soon as `scanner.Scan()` returns it instead of reading until the connection ends.",
  "server.bare-trigger-only":
    "Read lines with `bufio.NewScanner(conn)` (`Scan()` removes '\\n' and a '\\r' before it) and compare `scanner.Text() == \"{trigger}\"`.",
  "server.no-response":
    'Read each line with `bufio.NewScanner(conn)`, compare `scanner.Text() == "{trigger}"` and `fmt.Println("{response}")`.',
  "server.near-miss-prefix": "not only its first characters (`strings.HasPrefix`)",
  "server.near-miss-substring": "not a substring (`strings.Contains`)",
  "server.near-miss-case": "not ignoring case (`strings.EqualFold`)",
  "server.near-miss-trim": "without `strings.TrimSpace`",
  "server.exact-compare": 'Compare the whole line with `scanner.Text() == "{trigger}"`{why}.',
  "server.framing-split":
    "A `Read` may return part of a message: read lines with `bufio.NewScanner(conn)` instead of single `conn.Read(buf)` calls.",
  "server.framing-two-in-one":
    "One `Read` may hold several messages: read lines with `bufio.NewScanner(conn)` instead of single `conn.Read(buf)` calls.",
  "server.framing-close":
    "Handle the last line even without '\\n': `Scan()` returns it before it returns false.",
  "server.framing-crlf":
    "Read lines with `bufio.Scanner`, which drops '\\r\\n', or `strings.TrimSuffix(line, \"\\r\")`.",
  "server.address-check.tcp":
    "Compare the host of `conn.RemoteAddr()` (`net.SplitHostPort`) with os.Args[1] and `conn.Close()` other clients.",
  "server.concurrency":
    "Serve each client on its own: `go handle(conn)` for each accepted connection.",
  "server.robust-close":
    "`Scan()` returning false (or `Read` returning `io.EOF`) means the client left: close that connection and keep accepting.",
  "server.robust-reset":
    "An error from one connection ends that connection only: return from its goroutine, never `log.Fatal` or `panic`.",
  "server.robust-long-line":
    "A line longer than `bufio.Scanner`'s buffer stops `Scan()` with `bufio.ErrTooLong`: close that connection and keep accepting.",
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `log.Print` (stderr), once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `log.Print` or `fmt.Fprintln(os.Stderr, ...)` and keep stdout for the response.",
  "server.output-flush":
    'Print the response with `fmt.Println("{response}")` (written at once); a `bufio.Writer` on os.Stdout needs `Flush()` after each line.',
  "client.unbound":
    "Dial with a local address: `net.DialUnix(network, &net.UnixAddr{Name: os.Args[2], Net: network}, raddr)` ({clientPath}, after `os.Remove(os.Args[2])`); `net.Dial` binds no path, and the server tells its client by that path.",
  "client.wrong-path":
    "Use exactly os.Args[2] ({clientPath}) as the local `net.UnixAddr` of `net.DialUnix`, not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    'The assignment is over TCP: `net.Dial("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))`, then write each message as a line.',
  "client.wrong-transport.udp":
    'The assignment is over UDP: `net.Dial("udp", net.JoinHostPort(os.Args[1], os.Args[2]))` and one `conn.Write([]byte(msg))` per message: each Write is one datagram.',
  "client.wrong-transport.unix-stream":
    'The assignment is over Unix stream sockets: `net.DialUnix("unix", &net.UnixAddr{Name: os.Args[2], Net: "unix"}, &net.UnixAddr{Name: os.Args[1], Net: "unix"})` (the local address binds the client path), then write each message as a line.',
  "client.wrong-transport.unix-dgram":
    'The assignment is over Unix datagram sockets: `net.DialUnix("unixgram", &net.UnixAddr{Name: os.Args[2], Net: "unixgram"}, &net.UnixAddr{Name: os.Args[1], Net: "unixgram"})`, then one `conn.Write([]byte(msg))` per message.',
  "messages.packed":
    "Call `conn.Write([]byte(msg))` once per message, with no `bufio.Writer` around the connection: each Write is one datagram, and the server does not split it at '\\n'.",
  "messages.split":
    "Write each message whole in one `conn.Write`: one call per message, never a message in pieces.",
  "messages.datagram-padding":
    "`conn.Write(buf)` sends the whole slice: write `[]byte(msg)` (or `buf[:n]`), not a fixed-size buffer.",
  "messages.datagram-nul":
    "Write `[]byte(msg)` alone, without a `0` byte after it: a datagram carries its own length.",
  "messages.too-large":
    "Write `[]byte(msg)`, not a large buffer: a datagram larger than the socket's send buffer is refused (`Write` returns EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams":
    "Call `conn.Write` once per message and never with an empty slice (e.g. for an empty line or a final marker).",
  "server.wrong-transport.tcp":
    'The assignment is over TCP: `net.Listen("tcp", ":"+os.Args[2])`, then `Accept()` each client.',
  "server.wrong-transport.udp":
    'The assignment is over UDP: `conn, err := net.ListenPacket("udp", ":"+os.Args[2])`, then `n, addr, err := conn.ReadFrom(buf)` for each datagram; there is nothing to accept.',
  "server.wrong-transport.unix-stream":
    'The assignment is over Unix stream sockets: `os.Remove(os.Args[2])`, `net.Listen("unix", os.Args[2])`, then `Accept()` each client.',
  "server.wrong-transport.unix-dgram":
    'The assignment is over Unix datagram sockets: `os.Remove(os.Args[2])`, `net.ListenUnixgram("unixgram", &net.UnixAddr{Name: os.Args[2], Net: "unixgram"})`, then `n, addr, err := conn.ReadFromUnix(buf)` for each datagram.',
  "server.stale-socket":
    "Call `os.Remove(os.Args[2])` before `net.Listen` (ignoring its error when there is no file): a killed server leaves its socket file behind, and listening then fails with `address already in use`.",
  "server.wrong-path":
    "Listen at os.Args[2] as it is given (an absolute path), not a path of your own.",
  "server.address-check.udp":
    "Compare the sender of `n, addr, err := conn.ReadFrom(buf)` with os.Args[1] (`addr.(*net.UDPAddr).IP.Equal(net.ParseIP(os.Args[1]))`) and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Compare the client's path, `conn.RemoteAddr().String()`, of each accepted connection with os.Args[1] and `conn.Close()` any other client, one that bound no path (an empty name) included.",
  "server.address-check.unix-dgram":
    "Compare the sender of `n, addr, err := conn.ReadFromUnix(buf)` (`addr != nil && addr.Name == os.Args[1]`) and skip a datagram from any other path, one from a socket that bound none included.",
  "server.datagram-whole":
    'Take each datagram as one whole message: compare `string(buf[:n])` of one `ReadFrom` (over UDP `strings.TrimSuffix(s, "\\n")`) with the trigger; no `bufio.Scanner` on a datagram socket, and do not join datagrams.',
  "server.address-reject.tcp":
    "Reject a client that is not allowed with `conn.Close()` and `continue` the `Accept()` loop (never `return` or `log.Fatal`).",
  "server.address-reject.udp":
    "Skip a datagram from another address (`continue` back to `conn.ReadFrom(buf)`): do not answer it, `return` or `log.Fatal`.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path) with `conn.Close()` and `continue` the `Accept()` loop.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket (`addr == nil`) with `continue` back to `conn.ReadFromUnix(buf)`: never use a nil `addr` or exit.",
};
