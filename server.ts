/**
 * The reference server of the homework: it listens on the spec's transport (`tcp` by default;
 * `udp`, `unix-stream` or `unix-dgram`, EXERCISE.md §6), accepts messages only from the
 * configured clients (IP addresses, or the paths Unix-domain clients bind), and prints the
 * response (`Receive Query`) the moment a message is exactly the trigger (`Client Query`). Over
 * streams a message is a line (`\n`, a `\r` before it tolerated) or what precedes the close;
 * over datagrams it is one datagram. Stdout carries only response lines; everything else
 * (listening, connections accepted or rejected, each message shown escaped) goes to stderr.
 *
 * Every connection is served on its own, so an idle or slow client never delays another; memory
 * per connection is bounded by the line limit, and idle connections are closed after a timeout.
 * Output is written once per event-loop turn ({@linkcode TurnOutput}): the responses of every
 * connection that became readable together leave in one write, each in the turn it is due.
 *
 * Run it with `deno task server [allowed-client-address|path] [port|server-path]`, or directly
 * with `deno run --allow-net --allow-read --allow-write --unstable-net server.ts …`.
 *
 * @example
 * ```ts
 * import { serve } from "./server.ts";
 * const lines: string[] = [];
 * await using server = serve({ port: 0, hostname: "127.0.0.1", onResponse: (l) => lines.push(l), log: () => {} });
 * if (server.addr.transport !== "tcp") throw new Error();
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await conn.write(new TextEncoder().encode("Client Query\nCleint Query\n"));
 * await conn.closeWrite();
 * while ((await conn.read(new Uint8Array(64))) !== null);
 * conn.close();
 * if (lines.join() !== "Receive Query") throw new Error(lines.join());
 * ```
 * @module
 */

export * from "./reference/server.ts";

if (import.meta.main) {
  import("./cli/server_command.ts").then(async ({ runServerCli }) => {
    Deno.exitCode = await runServerCli(Deno.args);
  });
}
