import assert from "node:assert/strict";
import { GENERIC, type HintCause, type TransportCause } from "./causes.ts";
import { hint, hintLanguage, LANGUAGE_HINTS } from "./mod.ts";

/** Words that only make sense in C or C++ (the C library, POSIX calls by their C names). */
const C_WORDS =
  /\b(fflush|htons|strcmp|strncmp|strcasecmp|strstr|inet_pton|inet_ntop|perror|printf|fprintf|setvbuf|sizeof|strlen|(?<!sys\.)argv|INADDR_ANY|memset|EXIT_FAILURE)\b/;
/** The socket API of C (and C++) over the transports, which no other language calls so. */
const C_SOCKETS =
  /\b(sockaddr_\w+|AF_UNIX|SOCK_DGRAM|SOCK_STREAM|unlink|sun_path|ENOENT)\b|\bsendto\(\)/;
/** The transports' API of each language but C and Python. */
const JAVA_API =
  /\b(DatagramSocket|DatagramPacket|DatagramChannel|SocketChannel|UnixDomainSocketAddress)\b/;
const DENO_API = /\bDeno\.|\bunixpacket\b/;
const GO_API = /\bnet\.(Dial|Listen)\w*|\bos\.(Args|Remove)\b/;
const RUST_API =
  /\b(UdpSocket|UnixDatagram|UnixListener|UnixStream|TcpStream|TcpListener|socket2)\b/;
const PYTHON_API =
  /\b(sys\.argv|sendall|create_connection|create_server|os\.unlink|socket\.socket)\b/;
/** Words of one language that must not reach another. */
const FOREIGN: Record<string, RegExp> = {
  python: any(
    /\b(System\.|Deno\.|std::|args\[|readLine)\b|\bfflush|htons|strcmp|inet_pton|perror/,
    JAVA_API,
    DENO_API,
    GO_API,
    RUST_API,
    /\bsockaddr_\w+|\bsun_path\b/,
  ),
  java: any(
    /\b(sys\.argv|Deno\.|std::|print\(|sendall|makefile)\b|\bfflush|htons|strcmp|inet_pton|perror/,
    C_SOCKETS,
    PYTHON_API,
    DENO_API,
    GO_API,
    RUST_API,
  ),
  typescript: any(
    /\b(sys\.argv|System\.|std::|sendall|readLine)\b|\bfflush|htons|strcmp|inet_pton|perror/,
    C_SOCKETS,
    PYTHON_API,
    JAVA_API,
    GO_API,
    RUST_API,
  ),
  go: any(
    /\b(sys\.argv|System\.|Deno\.|std::|sendall|readLine|println!)\b|\bfflush|htons|strcmp|perror/,
    C_SOCKETS,
    PYTHON_API,
    JAVA_API,
    DENO_API,
    RUST_API,
  ),
  rust: any(
    /\b(sys\.argv|System\.|Deno\.|os\.Args|sendall|readLine|fmt\.)\b|\bfflush|htons|strcmp|perror/,
    C_SOCKETS,
    PYTHON_API,
    JAVA_API,
    DENO_API,
    GO_API,
  ),
};
/** What a C or C++ student must not read: another language's API. */
const NOT_C = any(PYTHON_API, JAVA_API, DENO_API, GO_API, RUST_API, /\bSystem\./);
/**
 * The causes of the transports: a record, so the type check fails here until a new
 * {@linkcode TransportCause} is listed (and then tested below).
 */
const TRANSPORT_CAUSES = Object.keys(
  {
    "client.wrong-transport.tcp": true,
    "client.wrong-transport.udp": true,
    "client.wrong-transport.unix-stream": true,
    "client.wrong-transport.unix-dgram": true,
    "server.wrong-transport.tcp": true,
    "server.wrong-transport.udp": true,
    "server.wrong-transport.unix-stream": true,
    "server.wrong-transport.unix-dgram": true,
    "server.address-check.tcp": true,
    "server.address-check.udp": true,
    "server.address-check.unix-stream": true,
    "server.address-check.unix-dgram": true,
    "server.address-reject.tcp": true,
    "server.address-reject.udp": true,
    "server.address-reject.unix-stream": true,
    "server.address-reject.unix-dgram": true,
    "client.unbound": true,
    "client.wrong-path": true,
    "messages.packed": true,
    "messages.split": true,
    "messages.datagram-padding": true,
    "messages.datagram-nul": true,
    "messages.too-large": true,
    "messages.empty-datagrams": true,
    "server.stale-socket": true,
    "server.wrong-path": true,
    "server.datagram-whole": true,
  } satisfies Record<TransportCause, true>,
) as TransportCause[];

/** One pattern matching what any of `patterns` matches. */
function any(...patterns: RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => p.source).join("|"));
}

const CAUSES = Object.keys(GENERIC) as HintCause[];

Deno.test("the generic hints name no function of one language", () => {
  for (const cause of CAUSES) assert.doesNotMatch(GENERIC[cause], C_WORDS, cause);
});

Deno.test("a Python, Java, TypeScript, Go or Rust student is never told C's way", () => {
  for (const [language, foreign] of Object.entries(FOREIGN)) {
    for (const cause of CAUSES) {
      const text = hint(cause, language as "python");
      assert.doesNotMatch(text, C_WORDS, `${language} ${cause}: ${text}`);
      assert.doesNotMatch(text, foreign, `${language} ${cause}: ${text}`);
    }
  }
});

Deno.test("a C or C++ student is never told another language's way", () => {
  for (const language of ["c", "cpp"]) {
    for (const cause of CAUSES) {
      const text = hint(cause, language);
      assert.doesNotMatch(text, NOT_C, `${language} ${cause}: ${text}`);
    }
  }
});

Deno.test("every language has its own hint for each transport cause", () => {
  for (const [language, table] of Object.entries(LANGUAGE_HINTS)) {
    for (const cause of TRANSPORT_CAUSES) {
      const own = table[cause];
      assert.ok(own, `${language} ${cause}`);
      assert.notEqual(own, GENERIC[cause], `${language} ${cause} is the generic text`);
    }
  }
  // C++ shares C's socket API; every other language has wordings of its own.
  const others = Object.entries(LANGUAGE_HINTS).filter(([language]) => language !== "cpp");
  for (const cause of TRANSPORT_CAUSES) {
    const texts = others.map(([, table]) => table[cause]);
    assert.equal(new Set(texts).size, texts.length, `${cause}: two languages share a wording`);
  }
});

Deno.test("each transport of a family gets its own wording, in every language", () => {
  const families = [
    "client.wrong-transport",
    "server.wrong-transport",
    "server.address-check",
    "server.address-reject",
  ];
  for (const language of [undefined, ...Object.keys(LANGUAGE_HINTS)]) {
    for (const family of families) {
      const texts = ["tcp", "udp", "unix-stream", "unix-dgram"].map((t) =>
        hint(`${family}.${t}` as HintCause, language)
      );
      assert.equal(new Set(texts).size, 4, `${language ?? "generic"} ${family}`);
    }
  }
});

Deno.test("transport hints name the language's own socket API", () => {
  const cases: [string, HintCause, RegExp][] = [
    ["c", "client.wrong-transport.unix-dgram", /socket\(AF_UNIX, SOCK_DGRAM, 0\)/],
    ["cpp", "server.stale-socket", /unlink\(argv\[2\]\)/],
    ["python", "client.unbound", /sock\.bind\(sys\.argv\[2\]\)/],
    ["python", "server.address-check.unix-dgram", /sock\.recvfrom/],
    ["java", "client.wrong-transport.udp", /DatagramSocket/],
    ["java", "server.wrong-transport.unix-stream", /UnixDomainSocketAddress/],
    ["typescript", "client.wrong-transport.unix-dgram", /Deno\.listenDatagram/],
    ["typescript", "server.wrong-transport.udp", /Deno\.listenDatagram/],
    ["go", "client.unbound", /net\.DialUnix/],
    ["go", "server.wrong-transport.unix-dgram", /net\.ListenUnixgram/],
    ["rust", "client.wrong-transport.unix-dgram", /UnixDatagram::bind/],
    ["rust", "server.address-check.udp", /recv_from/],
  ];
  for (const [language, cause, api] of cases) assert.match(hint(cause, language), api, cause);
});

Deno.test("every language puts the client path into its Unix client hints", () => {
  for (const language of [undefined, ...Object.keys(LANGUAGE_HINTS)]) {
    for (const cause of ["client.unbound", "client.wrong-path"] as const) {
      const text = hint(cause, language, { clientPath: "/run/x/client.sock" });
      assert.match(text, /\/run\/x\/client\.sock/, `${language} ${cause}`);
    }
  }
});

Deno.test("every language module overrides only known causes", () => {
  for (const [language, table] of Object.entries(LANGUAGE_HINTS)) {
    for (const cause of Object.keys(table)) assert.ok(cause in GENERIC, `${language}: ${cause}`);
  }
});

Deno.test("hint() speaks the program's language, C for a Makefile, neutral for a manifest", () => {
  assert.match(hint("server.output-flush", "c"), /fflush\(stdout\)/);
  assert.match(hint("server.output-flush", "make"), /fflush\(stdout\)/);
  assert.match(hint("server.output-flush", "python"), /flush=True/);
  assert.match(hint("server.output-flush", "cpp"), /std::endl/);
  assert.match(hint("server.output-flush", "go"), /bufio\.Writer/);
  assert.match(hint("server.output-flush", "rust"), /println!/);
  assert.equal(hint("server.output-flush", "cobol"), GENERIC["server.output-flush"]);
  assert.equal(hint("server.output-flush", "manifest"), GENERIC["server.output-flush"]);
  assert.equal(hintLanguage(undefined), undefined);
  assert.match(hint("server.not-listening", "java", { port: 6666 }), /here 6666/);
});
