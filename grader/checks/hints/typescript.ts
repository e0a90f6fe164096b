/**
 * Hints for TypeScript on Deno: `Deno.args`, `Deno.listen`/`Deno.connect`, `console.error`.
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
  "server.address-check":
    "Compare `(conn.remoteAddr as Deno.NetAddr).hostname` with Deno.args[0] and `conn.close()` other clients.",
  "server.concurrency":
    "Serve each client on its own: in the accept loop call `handle(conn)` without `await`, so the next connection is accepted at once.",
  "server.robust-reset":
    "Catch the error of a read per connection, so a reset ends that connection only.",
  "server.output-flood":
    "Do not print in a loop; print diagnostics with `console.error`, once per event, and keep stdout for the response.",
  "server.output-extra-lines":
    "Print diagnostics with `console.error` and keep stdout (console.log) for the response.",
};
