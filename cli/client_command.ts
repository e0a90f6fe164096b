/**
 * `sockgrade client [server-address|path] [port|client-path]`: runs the reference client
 * ({@linkcode runClient}) over the transport `--transport` names (EXERCISE.md §6: for
 * `unix-stream` and `unix-dgram` the arguments are the server's socket path and the client's).
 * This file only turns arguments into options: bad arguments are usage errors (exit 2), a
 * refused, unreachable or timed-out connection prints one line and exits 1, and a normal run
 * exits 0.
 *
 * @module
 */

import { Command, Option } from "commander";
import { ClientError, DEFAULT_CONNECT_TIMEOUT_MS, runClient } from "../reference/client.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { isUnixTransport, type Transport, TRANSPORTS } from "../reference/transports.ts";
import {
  collect,
  parseAddress,
  parsePort,
  parseSeconds,
  pickPort,
  readEnds,
  referenceSpec,
  runStandalone,
  transportOf,
} from "./server_command.ts";
import { UsageError } from "../grader/errors/usage_error.ts";
import { examples } from "./help.ts";

interface ClientFlags {
  transport?: Transport;
  message: string[];
  spec?: string;
  port?: number;
  connectTimeout: number;
  bind?: string;
}

function parseMessage(text: string): string {
  if (/[\r\n]/.test(text)) {
    throw new UsageError(
      "A --message must be a single line: leave out \\r and \\n (the client adds the \\n).",
    );
  }
  return text;
}

/**
 * Builds the `client` command; its action connects, sends the messages and exits. `prefix` is
 * how the user runs commands (`deno task`, `sockgrade`), for the examples in its help.
 */
export function clientCommand(prefix = "deno task"): Command {
  return new Command("client")
    .summary("run the reference client")
    .description(
      "Run the reference client: connect to the server, send the spec's messages in order, each " +
        `ending in \\n, on one connection (default: ${
          DEFAULT_SPEC.messages.map((m) => JSON.stringify(m)).join(", ")
        }), then close. Over udp and unix-dgram each message is one datagram (no \\n). Over ` +
        "unix-stream and unix-dgram the arguments are the server's socket path and the path the " +
        "client binds its own socket to (unix-stream needs --allow-ffi for that). Progress goes to stderr.",
    )
    .argument(
      "[server-address|path]",
      "the server's address (default: 127.0.0.1), or its socket path",
    )
    .argument(
      "[port|client-path]",
      `the server's port (default: the spec's, ${DEFAULT_SPEC.port}), or the path to bind the client's socket to`,
    )
    .addOption(
      new Option(
        "--transport <transport>",
        "the transport, EXERCISE.md §6 (default: the spec's, else tcp)",
      ).choices(TRANSPORTS),
    )
    .addOption(
      new Option("--message <text>", "send this instead of the spec's messages (repeatable)")
        .argParser(collect(parseMessage)).default([], "the spec's"),
    )
    .addOption(new Option("--port <port>", "the server's port").argParser(parsePort))
    .option(
      "--spec <file>",
      `an assignment spec (JSON or JSONC): transport, messages and port (default: the article's homework)`,
    )
    .addOption(
      new Option("--connect-timeout <seconds>", "give up connecting after this many seconds")
        .argParser(parseSeconds)
        .default(DEFAULT_CONNECT_TIMEOUT_MS, `${DEFAULT_CONNECT_TIMEOUT_MS / 1000}`),
    )
    .addOption(
      new Option("--bind <address>", "the local address to connect from").argParser(
        parseAddress,
      ),
    )
    .addHelpText(
      "after",
      examples(prefix, "client", [
        ["", "127.0.0.1, port 6666"],
        ["192.168.100.168 6666", "the article's setup"],
        ['--message "Client Query" 127.0.0.1 7000', ""],
        ["--transport udp ::1 6666", "UDP over IPv6"],
        ["--transport unix-dgram /tmp/server.sock /tmp/client.sock", ""],
      ]),
    )
    .action(
      async (first: string | undefined, second: string | undefined, flags: ClientFlags) => {
        const spec = await referenceSpec(flags.spec);
        const transport = transportOf(flags.transport, spec);
        const { address, port, path } = readEnds(transport, first, second, ["server", "client"]);
        const chosenPort = pickPort(port, flags.port, spec.port);
        if (chosenPort === 0 && !isUnixTransport(transport)) {
          throw new UsageError("Port 0 cannot be connected to: pass the server's port.");
        }
        try {
          await runClient({
            transport,
            ...(isUnixTransport(transport) ? { path: address, bindPath: path } : {}),
            hostname: isUnixTransport(transport) ? undefined : address ?? "127.0.0.1",
            port: chosenPort,
            messages: flags.message.length > 0 ? flags.message : spec.messages,
            connectTimeoutMs: flags.connectTimeout,
            bind: flags.bind,
          });
        } catch (error) {
          if (!(error instanceof ClientError)) throw error;
          console.error(`sockgrade client: ${error.message}`);
          Deno.exit(1);
        }
      },
    );
}

/** Runs `client` on its own with the given arguments; returns the exit status. */
export function runClientCli(args: string[]): Promise<number> {
  return runStandalone(clientCommand(), args);
}
