/**
 * The reference client of the homework: it sends the spec's messages in order
 * (`Client Query test`, `Cleint Query` with its typo, `Client Query Quit`) over the spec's
 * transport (EXERCISE.md §6). Over `tcp` and `unix-stream` each ends in `\n`, all on one
 * connection, which it half-closes and then waits briefly for the server to close; over `udp`
 * and `unix-dgram` each is one datagram. Over the Unix-domain transports the client binds its
 * socket to its own path first, since that path is how the server tells who sent a message
 * (for `unix-stream` this takes Deno's FFI, see {@linkcode connectUnixBound}). Progress goes to
 * stderr; stdout stays empty.
 *
 * Run it with `deno task client [server-address|server-path] [port|client-path]`, or directly
 * with `deno run --allow-net --allow-read --allow-write client.ts …` (`--allow-ffi` too for
 * `--transport unix-stream`).
 *
 * @example
 * ```ts
 * import { runClient } from "./client.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const sending = runClient({ port: listener.addr.port, log: () => {} });
 * using conn = await listener.accept();
 * const received = await new Response(conn.readable).text();
 * const result = await sending;
 * if (received !== "Client Query test\nCleint Query\nClient Query Quit\n") throw new Error(received);
 * if (result.bytes !== received.length) throw new Error(`${result.bytes}`);
 * ```
 * @module
 */

export * from "./reference/client.ts";

if (import.meta.main) {
  import("./cli/client_command.ts").then(async ({ runClientCli }) => {
    Deno.exitCode = await runClientCli(Deno.args);
  });
}
