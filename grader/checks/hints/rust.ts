/**
 * Hints for Rust: `std::env::args`, `std::net` (`TcpStream`, `UdpSocket`),
 * `std::os::unix::net` (`UnixListener`, `UnixDatagram`; std cannot bind a `UnixStream` before
 * connecting it), `BufRead::lines`, `eprintln!`, threads. Rust's
 * stdout is line buffered even when it is not a terminal: `println!` is written at once,
 * `print!` without a newline only after `flush()`.
 *
 * @module
 */

import type { LanguageHints } from "./causes.ts";

/** The Rust wordings. */
export const RUST_HINTS: LanguageHints = {
  "client.connect-args":
    'Connect to the address and port given on the command line: `TcpStream::connect(format!("{}:{}", args[1], args[2]))` with `let args: Vec<String> = std::env::args().collect();`.',
  "client.hangs-after-sending":
    "After sending the last message, drop the stream (or `stream.shutdown(Shutdown::Both)`) and return from main: do not wait for an answer (the server sends none).",
  "client.crash-segv":
    "Run it by hand with the same arguments and read the panic's first line (`unwrap()` on an error?).",
  "client.exit-status": "Return from main normally when everything was sent.",
  "client.reset":
    "A reset can lose data the server has not read yet: drop the stream normally (no `set_linger(Some(0))`).",
  "client.no-server-error":
    'When `TcpStream::connect` fails, `eprintln!("{e}")` and `std::process::exit(1)` (an `unwrap()` panics with status 101).',
  "client.no-server-retries":
    'Do not retry forever: when `TcpStream::connect` fails, `eprintln!("{e}")` and `std::process::exit(1)`.',
  "client.no-server-crash":
    'Match the `Result` of `TcpStream::connect` instead of `unwrap()`: `eprintln!("{e}")` and `std::process::exit(1)`.',
  "client.no-server-exit-zero":
    "After printing the error, `std::process::exit(1)`: the program must end with a non-zero status.",
  "client.error-on-stdout": "Print errors with `eprintln!`, not `println!`.",
  "client.usage":
    "sockgrade starts your client as `./client <server-address> <port>` (`std::env::args()`, items 1 and 2) and your server as `./server <allowed-client-address> <port>`: use them instead of reading stdin or other arguments.",
  "client.traceback":
    "Run it by hand with the same arguments and read the first line of the panic.",
  "messages.nothing-sent":
    "After connecting, write each message followed by '\\n', e.g. `stream.write_all(b\"{trigger}\\n\")?`.",
  "messages.newline":
    "End every message with '\\n', e.g. `stream.write_all(format!(\"{}\\n\", msg).as_bytes())?`.",
  "messages.padding":
    'Write only the message\'s bytes, `stream.write_all(format!("{}\\n", msg).as_bytes())`, not a whole fixed-size buffer.',
  "messages.nul-after-newline": "Do not write a `0` byte after a message.",
  "messages.nul-instead-of-newline":
    "End every message with '\\n', not a `0` byte: `stream.write_all(format!(\"{}\\n\", msg).as_bytes())`.",
  "server.usage":
    "sockgrade starts your server as `./server <allowed-client-address> <port>` (`std::env::args()`, items 1 and 2) and your client as `./client <server-address> <port>`: use them instead of reading stdin or other arguments.",
  "server.exited-early":
    "Run it by hand with the same arguments and read the panic or error it prints (an `unwrap()` on `bind` or `accept`?).",
  "server.not-listening":
    'It must listen on the port given as its second argument (here {port}): `TcpListener::bind(format!("0.0.0.0:{}", args[2]))`.',
  "server.wrong-port": "Read the port from the second argument instead of hard-coding it.",
  "server.wrong-address":
    'Listen on every address, `TcpListener::bind(("0.0.0.0", port))`; the first argument is the allowed CLIENT address, not where to listen.',
  "server.daemonized":
    "Stay in the foreground: keep accepting connections in the started process instead of starting another one and exiting.",
  "server.close-before-answer":
    "Handle each line as soon as `lines()` yields it instead of reading until the connection ends.",
  "server.bare-trigger-only":
    "Read lines with `BufReader::new(stream).lines()` (it removes '\\n' and '\\r\\n') and compare `line == \"{trigger}\"`.",
  "server.no-response":
    'Read each line with `BufReader::new(stream).lines()`, compare `line == "{trigger}"` and `println!("{response}")`.',
  "server.near-miss-prefix": "not only its first characters (`starts_with`)",
  "server.near-miss-substring": "not a substring (`contains`)",
  "server.near-miss-case": "not ignoring case (`eq_ignore_ascii_case`)",
  "server.near-miss-trim": "without `trim()`",
  "server.exact-compare": 'Compare the whole line with `line == "{trigger}"`{why}.',
  "server.framing-split":
    "A `read` may return part of a message: read lines with `BufReader::new(stream).lines()` instead of single `read(&mut buf)` calls.",
  "server.framing-two-in-one":
    "One `read` may hold several messages: read lines with `BufReader::new(stream).lines()` instead of single `read(&mut buf)` calls.",
  "server.framing-close":
    "Handle the last line even without '\\n': `lines()` yields it before it ends.",
  "server.framing-crlf":
    "Read lines with `lines()`, which drops '\\r\\n', or `trim_end_matches('\\r')`.",
  "server.address-check.tcp":
    "Compare `stream.peer_addr()?.ip()` of each accepted stream with the first argument and drop other clients' streams.",
  "server.concurrency":
    "Serve each client on its own: `std::thread::spawn(move || handle(stream))` for each accepted stream.",
  "server.robust-close":
    "`lines()` ending (or `read` returning 0) means the client left: drop that stream and keep accepting.",
  "server.robust-reset":
    "Handle the `Err` of a read per connection (in its thread), never `unwrap()` it, so a reset ends that connection only.",
  "server.robust-long-line":
    "Bound what you keep of a line that never ends (`lines()` on endless data grows without limit).",
  "server.robust-binary":
    "`lines()` fails on bytes that are not UTF-8: read with `read_until(b'\\n', &mut buf)` and compare bytes, and never `unwrap()` a read.",
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `eprintln!`, once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `eprintln!` and keep stdout for the response.",
  "server.output-flush":
    'Print the response with `println!("{response}")` (written at once); after `print!` without a newline, call `std::io::stdout().flush()`.',
  "client.unbound":
    "Over unix-dgram, `UnixDatagram::bind(&args[2])` ({clientPath}, after `std::fs::remove_file`) and `send_to` from it; over unix-stream std's `UnixStream::connect` binds nothing, so bind first through the `socket2` crate (`Socket::new(Domain::UNIX, Type::STREAM, None)`, `bind`, `connect`).",
  "client.wrong-path":
    "Bind exactly `&args[2]` ({clientPath}), not a name of your own: the server compares the whole path.",
  "client.wrong-transport.tcp":
    "The assignment is over TCP: `TcpStream::connect((args[1].as_str(), port))` with `let port: u16 = args[2].parse()?;`, then write each message as a line.",
  "client.wrong-transport.udp":
    'The assignment is over UDP: `let sock = UdpSocket::bind("0.0.0.0:0")?;` (`"[::]:0"` for IPv6) and one `sock.send_to(msg.as_bytes(), (args[1].as_str(), port))?` per message; there is no connection.',
  "client.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets, from a socket bound to args[2] and connected to args[1]: std cannot bind a `UnixStream` before connecting, so make it with the `socket2` crate (`Socket::new(Domain::UNIX, Type::STREAM, None)`, `bind`, `connect`), then write each message as a line.",
  "client.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `let sock = UnixDatagram::bind(&args[2])?;`, then one `sock.send_to(msg.as_bytes(), &args[1])?` per message.",
  "messages.packed":
    "Call `sock.send_to(msg.as_bytes(), ...)` once per message: a datagram is one message, the server does not split it at '\\n'.",
  "messages.split":
    "Send each message whole in one `send_to`: one call per message, never a message in pieces.",
  "messages.datagram-padding":
    "`send_to(&buf, ...)` sends the whole array: send `msg.as_bytes()` (or `&buf[..n]`), not a fixed-size buffer.",
  "messages.datagram-nul":
    "Send `msg.as_bytes()` alone, without a `0` byte after it (not a `CString`): a datagram carries its own length.",
  "messages.too-large":
    "Send `msg.as_bytes()`, not a large buffer: a datagram larger than the socket's send buffer is refused (`send_to` returns an `Err`: EMSGSIZE or ENOBUFS) and never arrives.",
  "messages.empty-datagrams":
    "Call `send_to` once per message and never with an empty slice (e.g. for an empty line or a final marker).",
  "server.wrong-transport.tcp":
    'The assignment is over TCP: `TcpListener::bind(("0.0.0.0", port))` (`"::"` for IPv6), then `incoming()` each client.',
  "server.wrong-transport.udp":
    'The assignment is over UDP: `UdpSocket::bind(("0.0.0.0", port))`, then `let (n, src) = sock.recv_from(&mut buf)?;` for each datagram; there is nothing to accept.',
  "server.wrong-transport.unix-stream":
    "The assignment is over Unix stream sockets: `std::fs::remove_file(&args[2])` (ignoring NotFound), `UnixListener::bind(&args[2])`, then `accept()` each client.",
  "server.wrong-transport.unix-dgram":
    "The assignment is over Unix datagram sockets: `std::fs::remove_file(&args[2])` (ignoring NotFound), `UnixDatagram::bind(&args[2])`, then `let (n, src) = sock.recv_from(&mut buf)?;` for each datagram.",
  "server.stale-socket":
    "Call `std::fs::remove_file(&args[2])` before `bind` (ignoring `ErrorKind::NotFound`): a killed server leaves its socket file behind, and bind then fails with `AddrInUse`.",
  "server.wrong-path": "Bind `&args[2]` as it is given (an absolute path), not a path of your own.",
  "server.address-check.udp":
    "Compare `src.ip()` of `let (n, src) = sock.recv_from(&mut buf)?;` with `args[1].parse::<IpAddr>()` and skip (print nothing for) a datagram from any other address.",
  "server.address-check.unix-stream":
    "Compare `addr.as_pathname()` of `let (stream, addr) = listener.accept()?;` with `Some(Path::new(&args[1]))` and drop any other client's stream; it is `None` for a client that bound no path.",
  "server.address-check.unix-dgram":
    "Compare `src.as_pathname()` of `let (n, src) = sock.recv_from(&mut buf)?;` with `Some(Path::new(&args[1]))` and skip any other datagram; it is `None` for a socket that bound no path.",
  "server.datagram-whole":
    'Take each datagram as one whole message: compare `&buf[..n]` of one `recv_from` (over UDP after `strip_suffix(b"\\n")`, once) with the trigger; no `lines()` on it, and do not join datagrams.',
  "server.address-reject.tcp":
    "Reject a client that is not allowed by dropping its stream, and keep iterating `listener.incoming()` (no `return` or `panic!`).",
  "server.address-reject.udp":
    "Skip a datagram from another address (`continue` back to `sock.recv_from`): do not `sock.connect` to a sender, answer it or return.",
  "server.address-reject.unix-stream":
    "Reject a client that is not allowed (or that bound no path: `as_pathname()` is `None`) by dropping its stream, and keep accepting; never `unwrap()` the path.",
  "server.address-reject.unix-dgram":
    "Skip a datagram from another path or an unbound socket (`src.as_pathname()` is `None`) with `continue`; never `unwrap()` the path.",
};
