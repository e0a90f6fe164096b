/**
 * `sockgrade server [allowed-client-address|path] [port|server-path]`: runs the reference server
 * ({@linkcode serve}) until SIGINT or SIGTERM, over the transport `--transport` names (EXERCISE.md
 * §6: for `unix-stream` and `unix-dgram` the arguments are paths). This file only turns arguments into options: bad
 * arguments are usage errors (exit 2), a port or address that cannot be listened on prints one
 * line and exits 1, and a stop by signal exits 0.
 *
 * @module
 */

import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isIP } from "node:net";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_LINE_BYTES,
  isUnixTransport,
  ListenError,
  serve,
  type Transport,
  TRANSPORTS,
} from "../reference/server.ts";
import { DEFAULT_SPEC, loadSpec, type Spec, SpecError } from "../grader/spec.ts";
import { UsageError } from "../grader/errors/usage_error.ts";
import { examples } from "./help.ts";
import { userPath } from "./paths.ts";

/** Parses an IP address argument; commander reports a bad one as a usage error. */
export function parseAddress(text: string): string {
  if (isIP(text) === 0) {
    throw new InvalidArgumentError(
      "Not an IP address: pass an IPv4 or IPv6 address such as 127.0.0.1.",
    );
  }
  return text;
}

/** Parses a port argument (0 to 65535; 0 picks a free port where that makes sense). */
export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError("Not a port: pass a whole number from 0 to 65535.");
  }
  return port;
}

/**
 * The two positional arguments of `server` or `client` read for `transport`: over `tcp` and
 * `udp` an IP address and a port, over the Unix-domain transports two paths (both required).
 * `what` names them for messages, e.g. `["allowed client", "server"]`.
 */
export function readEnds(
  transport: Transport,
  first: string | undefined,
  second: string | undefined,
  what: readonly [string, string],
): { address?: string; port?: number; path?: string } {
  const wrap = (parse: () => unknown) => {
    try {
      return parse();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  if (isUnixTransport(transport)) {
    if (!first || !second) {
      throw new UsageError(
        `--transport ${transport} needs two paths: the ${what[0]}'s socket path, then the ${
          what[1]
        }'s.`,
      );
    }
    if (/^\d{1,5}$/.test(second)) {
      throw new UsageError(
        `"${second}" looks like a port, but over ${transport} the second argument is the ${
          what[1]
        }'s socket path.`,
      );
    }
    return { address: first, path: second };
  }
  return {
    address: first === undefined ? undefined : wrap(() => parseAddress(first)) as string,
    port: second === undefined ? undefined : wrap(() => parsePort(second)) as number,
  };
}

/**
 * The transport to use: `--transport` if given, else the spec's `transport` (a field of specs
 * that name one, EXERCISE.md §6), else `tcp`.
 */
export function transportOf(flag: Transport | undefined, spec: Spec): Transport {
  const named = (spec as Spec & { transport?: string }).transport;
  return flag ?? (TRANSPORTS.find((t) => t === named) ?? "tcp");
}

/** Parses a duration in seconds (decimals allowed, e.g. `0.5`) into milliseconds. */
export function parseSeconds(text: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : NaN;
  if (!(ms >= 1 && ms <= 2 ** 31 - 1)) {
    throw new InvalidArgumentError(
      "Not a duration: pass a number of seconds such as 30 or 0.5 (at least 1 ms).",
    );
  }
  return ms;
}

/** Parses a positive whole number of bytes. */
export function parseBytes(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(n) && n > 0)) {
    throw new InvalidArgumentError("Not a size: pass a positive whole number of bytes.");
  }
  return n;
}

/** Collects a repeatable option's values. */
export function collect<T>(parse: (text: string) => T): (text: string, previous: T[]) => T[] {
  return (text, previous) => [...previous, parse(text)];
}

/** Picks the port from a positional argument and a flag, which must agree when both are given. */
export function pickPort(
  positional: number | undefined,
  flag: number | undefined,
  fallback: number,
): number {
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new UsageError(
      `The port is given twice (${positional} and --port ${flag}): pass it only once.`,
    );
  }
  return positional ?? flag ?? fallback;
}

/**
 * Loads the spec named by `--spec` (a path meant from where the command was typed), or returns
 * the built-in one; a spec that cannot be read or is invalid is a usage error.
 */
export async function specFromOption(path: string | undefined): Promise<Spec> {
  if (path === undefined) return structuredClone(DEFAULT_SPEC);
  try {
    return await loadSpec(userPath(path));
  } catch (error) {
    if (error instanceof SpecError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The spec of the reference server and client: the one `--spec` names, else the built-in one.
 * Errors as {@linkcode specFromOption}.
 */
export async function referenceSpec(path: string | undefined): Promise<Spec> {
  return await specFromOption(path);
}

interface ServerFlags {
  transport?: Transport;
  allow: string[];
  port?: number;
  hostname?: string;
  spec?: string;
  maxLineBytes: number;
  idleTimeout: number;
}

/**
 * Builds the `server` command; its action runs the server until SIGINT or SIGTERM. `prefix` is
 * how the user runs commands (`deno task`, `sockgrade`), for the examples in its help.
 */
export function serverCommand(prefix = "deno task"): Command {
  return new Command("server")
    .summary("run the reference server")
    .description(
      'Run the reference server: print "Receive Query" (the spec\'s response) on stdout for each ' +
        'message that is exactly "Client Query" (the trigger), from allowed clients only. ' +
        "Everything else is logged on stderr. Stop it with Ctrl-C (SIGINT) or SIGTERM. Over " +
        "unix-stream and unix-dgram the arguments are paths: the path the client binds its socket " +
        "to, then the server's socket path (a stale socket file there is replaced).",
    )
    .argument(
      "[allowed-client-address|path]",
      "the only client whose messages are accepted: an IP address (default: 127.0.0.1), or the path a Unix-domain client binds",
    )
    .argument(
      "[port|server-path]",
      `the port to listen on, 0 picks a free one (default: the spec's, ${DEFAULT_SPEC.port}); or the server's socket path`,
    )
    .addOption(
      new Option(
        "--transport <transport>",
        "the transport, EXERCISE.md §6 (default: the spec's, else tcp)",
      ).choices(TRANSPORTS),
    )
    .addOption(
      new Option("--allow <address|path>", "also accept this client (repeatable)")
        .default([], "none").argParser((text: string, previous: string[]) => [...previous, text]),
    )
    .addOption(new Option("--port <port>", "the port to listen on").argParser(parsePort))
    .addOption(
      new Option(
        "--hostname <address>",
        "the local address to listen on (default: 0.0.0.0, or :: when an allowed address is IPv6)",
      ).argParser(parseAddress),
    )
    .option(
      "--spec <file>",
      `an assignment spec (JSON or JSONC): transport, trigger, response and port (default: the article's homework)`,
    )
    .addOption(
      new Option("--max-line-bytes <bytes>", "a longer line is discarded up to its newline")
        .argParser(parseBytes).default(DEFAULT_MAX_LINE_BYTES),
    )
    .addOption(
      new Option(
        "--idle-timeout <seconds>",
        "close a connection that sends nothing for this many seconds (decimals allowed)",
      ).argParser(parseSeconds).default(
        DEFAULT_IDLE_TIMEOUT_MS,
        `${DEFAULT_IDLE_TIMEOUT_MS / 1000}`,
      ),
    )
    .addHelpText(
      "after",
      examples(prefix, "server", [
        ["", "allow 127.0.0.1, port 6666"],
        ["192.168.100.2 6666", "the article's setup"],
        ["--allow ::1 --allow 127.0.0.1 --port 0", ""],
        ["--transport udp ::1 6666", "UDP over IPv6"],
        ["--transport unix-stream /tmp/client.sock /tmp/server.sock", ""],
      ]),
    )
    .action(
      async (first: string | undefined, second: string | undefined, flags: ServerFlags) => {
        const spec = await referenceSpec(flags.spec);
        const transport = transportOf(flags.transport, spec);
        const { address, port, path } = readEnds(transport, first, second, [
          "allowed client",
          "server",
        ]);
        const extra = isUnixTransport(transport)
          ? flags.allow
          : flags.allow.map((a) => readEnds(transport, a, undefined, ["", ""]).address!);
        const allow = [...(address === undefined ? [] : [address]), ...extra];
        let server;
        try {
          server = serve({
            transport,
            path,
            allow: allow.length > 0 ? allow : ["127.0.0.1"],
            port: pickPort(port, flags.port, spec.port),
            hostname: flags.hostname,
            trigger: spec.trigger,
            response: spec.response,
            maxLineBytes: flags.maxLineBytes,
            idleTimeoutMs: flags.idleTimeout,
          });
        } catch (error) {
          if (!(error instanceof ListenError)) throw error;
          console.error(`sockgrade server: ${error.message}`);
          Deno.exit(1);
        }
        const signals = ["SIGINT", "SIGTERM"] as const;
        const stops = signals.map((signal) => {
          const stop = () => {
            console.error(`received ${signal}: stopping`);
            void server.close();
          };
          Deno.addSignalListener(signal, stop);
          return stop;
        });
        await server.closed;
        signals.forEach((signal, i) => Deno.removeSignalListener(signal, stops[i]!));
      },
    );
}

/**
 * Runs one command on its own (as `deno run server.ts …` does) with the exit statuses of the
 * main program: 0 when it ran, 2 for usage errors (printed as one line). Other errors are bugs
 * and are rethrown.
 */
export async function runStandalone(command: Command, args: string[]): Promise<number> {
  try {
    await command.exitOverride().showHelpAfterError("(run with --help to see the options)")
      .parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      console.error(`sockgrade: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

/** Runs `server` on its own with the given arguments; returns the exit status. */
export function runServerCli(args: string[]): Promise<number> {
  return runStandalone(serverCommand(), args);
}
