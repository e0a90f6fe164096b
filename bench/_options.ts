/**
 * Command lines of the bench scripts: `node:util`'s strict `parseArgs` with `--help` added, and
 * the checks their values share. Every mistake becomes a {@linkcode UsageError} whose one-line
 * message says what was wrong and what to do; {@linkcode exitOnUsageError} prints it and exits 2,
 * as `sockgrade` itself does.
 *
 * @example
 * ```ts
 * import { parseCommandLine, wholeNumber } from "./_options.ts";
 * const script = { name: "soak", command: "deno task soak", usage: "usage: deno task soak" };
 * const { values } = parseCommandLine(script, ["--rounds", "3"], { rounds: { type: "string" } });
 * if (wholeNumber("--rounds", values.rounds, { fallback: 20 }) !== 3) throw new Error("wrong");
 * ```
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "../grader/errors/usage_error.ts";

/** How a script is named in its messages and what `--help` prints. */
export interface Script {
  /** Starts every error line, e.g. `soak`. */
  name: string;
  /** How it is run, for the hint in errors, e.g. `deno task soak`. */
  command: string;
  /** The whole text `--help` prints. */
  usage: string;
}

/** The option name a `node:util` parse error quotes (`'--rounds <value>'` gives `--rounds`). */
function quotedName(message: string): string {
  return /'([^' ]+)/.exec(message)?.[1] ?? "an option";
}

/** One line that says what was wrong with the command line and what to do. */
function explain(script: Script, error: Error & { code?: unknown }): string {
  const help = `run "${script.command} --help" to see the options`;
  const name = quotedName(error.message);
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option '${name}' (${help}).`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${name}': this script takes only options (${help}).`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (error.message.includes("does not take an argument")) {
        return `${name} takes no value: give it alone (${help}).`;
      }
      if (error.message.includes("ambiguous")) {
        return `${name} needs a value, but the next argument starts with a dash: give the value, or write ${name}=VALUE if the value itself starts with a dash.`;
      }
      return `${name} needs a value (${help}).`;
    default:
      return `${error.message.split("\n")[0]} (${help}).`;
  }
}

/**
 * Parses `args` with `node:util`'s `parseArgs` in strict mode, `--help` and `-h` added: with
 * either, prints `script.usage` and exits 0. Unknown options, missing values and (unless
 * `allowPositionals`) positional arguments throw a {@linkcode UsageError}.
 */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  script: Script,
  args: string[],
  options: T,
  allowPositionals = false,
) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    if (error instanceof TypeError && "code" in error) throw new UsageError(explain(script, error));
    throw error;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(script.usage);
    Deno.exit(0);
  }
  return parsed;
}

/** Bounds and default of {@linkcode wholeNumber}. */
export interface WholeNumberOptions {
  /** The value when the option is not given (default: undefined). */
  fallback?: number;
  /** The smallest value allowed (default: none). */
  min?: number;
}

/**
 * The whole number `text` (digits, an optional minus), or `fallback` when `text` is undefined;
 * anything else, or a number below `min`, throws a {@linkcode UsageError} naming `option`.
 */
export function wholeNumber(option: string, text: string, options?: WholeNumberOptions): number;
export function wholeNumber(
  option: string,
  text: string | undefined,
  options: WholeNumberOptions & { fallback: number },
): number;
export function wholeNumber(
  option: string,
  text: string | undefined,
  options?: WholeNumberOptions,
): number | undefined;
export function wholeNumber(
  option: string,
  text: string | undefined,
  { fallback, min }: WholeNumberOptions = {},
): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || (min !== undefined && n < min)) {
    const bound = min === undefined ? "" : ` of at least ${min}`;
    throw new UsageError(`${option} takes a whole number${bound} (got ${text}).`);
  }
  return n;
}

/**
 * The one positional argument a script takes, or undefined when none is given; more than one
 * throws a {@linkcode UsageError} that names it as `what` (e.g. `N (the number of students)`).
 */
export function optionalPositional(
  positionals: readonly string[],
  what: string,
): string | undefined {
  if (positionals.length > 1) {
    throw new UsageError(
      `give at most one argument, ${what}, not ${positionals.length}: ${positionals.join(" ")}.`,
    );
  }
  return positionals[0];
}

/**
 * A comma-separated list of whole numbers of at least `min` (`1,2`), or `fallback` when `text`
 * is undefined; anything else throws a {@linkcode UsageError} naming `option`.
 */
export function wholeNumbers(
  option: string,
  text: string | undefined,
  { fallback, min }: { fallback: number[]; min: number },
): number[] {
  if (text === undefined) return fallback;
  if (!/^\d+(,\d+)*$/.test(text) || text.split(",").some((n) => Number(n) < min)) {
    throw new UsageError(
      `${option} takes whole numbers of at least ${min}, separated by commas, e.g. ${option} 1,2 (got ${text}).`,
    );
  }
  return text.split(",").map(Number);
}

/** `text` if it is one of `choices`, `fallback` when undefined; else a {@linkcode UsageError}. */
export function oneOf<T extends string>(
  option: string,
  text: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${option} takes one of ${choices.join(", ")} (got ${text}).`);
  }
  return text as T;
}

/**
 * Runs `read` (a script's command-line reading) and returns what it returns; a
 * {@linkcode UsageError} is printed as `name: message` on standard error and exits with status 2.
 * Any other error is a bug and is thrown on.
 */
export function exitOnUsageError<T>(script: Script, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${script.name}: ${error.message}`);
    Deno.exit(error.exitCode);
  }
}

/**
 * The command line of a script whose only argument is one optional count (`deno task
 * bench:grade [ROUNDS]`): the count, a whole number of at least 1, or `fallback` when it is not
 * given. `--help` prints the usage; a usage error is printed and exits with status 2.
 */
export function countArgument(script: Script, what: string, fallback: number): number {
  return exitOnUsageError(script, () => {
    const { positionals } = parseCommandLine(script, Deno.args, {}, true);
    return wholeNumber(what, optionalPositional(positionals, what), { fallback, min: 1 });
  });
}
