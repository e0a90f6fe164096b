/**
 * The sockgrade command line: `server` and `client` run the reference solution, `grade` grades
 * submissions, `merge` joins sharded results. Each command lives in `cli/` and its module is
 * imported only when that command runs, so the reference server and client never load the
 * grader (nor need its permissions). This file assembles the commands and maps errors to exit
 * statuses (EXERCISE.md §5): 0 when the command ran, 2 for usage errors (printed as one line), 1
 * for grader failures (such as `--isolation netns` where namespaces cannot be made). Bugs are not
 * swallowed: any other error is rethrown with its stack.
 *
 * The compiled executable (`deno task compile`) also starts its own grading workers through this
 * file, with the hidden argument of `grader/run/worker_launch.ts`.
 *
 * @module
 */

import { Command, CommanderError } from "commander";
import { GraderFailure, UsageError } from "./grader/errors/usage_error.ts";
import { commandPrefix } from "./cli/invocation.ts";
import { VERSION } from "./cli/version.ts";
import { WORKER_COMMAND } from "./grader/run/worker_launch.ts";

/** A command: its one-line summary for the top-level help, and how to build it when it runs. */
interface CommandEntry {
  summary: string;
  load: (prefix: string) => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  server: {
    summary: "run the reference server",
    load: async (prefix) => (await import("./cli/server_command.ts")).serverCommand(prefix),
  },
  client: {
    summary: "run the reference client",
    load: async (prefix) => (await import("./cli/client_command.ts")).clientCommand(prefix),
  },
  grade: {
    summary: "grade submissions (with none, the bundled samples)",
    load: async (prefix) => (await import("./cli/grade_command.ts")).gradeCommand(prefix),
  },
  merge: {
    summary: "merge sharded --json results",
    load: async (prefix) => (await import("./cli/merge_command.ts")).mergeCommand(prefix),
  },
};

/**
 * Builds the sockgrade program. Only the command named in `args` (if any) is loaded; the others
 * are listed by name and summary.
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const prefix = commandPrefix();
  const program = new Command("sockgrade")
    .description(
      "Autograder and reference solution for the socket homework: a server that answers " +
        '"Client Query" from one allowed address, and a client that sends three messages.',
    )
    .version(VERSION, "--version", "print sockgrade's version")
    .exitOverride();
  oneLineErrors(program, prefix === "sockgrade" ? "sockgrade" : "deno run -A main.ts");
  const chosen = args.find((arg) => !arg.startsWith("-"));
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = name === chosen
      ? (await entry.load(prefix)).version(VERSION, "--version", "print sockgrade's version")
      : new Command(name).summary(entry.summary);
    program.addCommand(oneLineErrors(command.exitOverride(), `${prefix} ${name}`));
  }
  if (prefix !== "sockgrade") program.name(prefix);
  return program;
}

/**
 * Makes commander's own usage errors (unknown option, bad choice, missing argument) one line
 * on stderr, worded like sockgrade's: `sockgrade: unknown option '--bogus' (run "deno task grade
 * --help" to see the options)`. Help is plain text: commander is told so, rather than reading
 * `NO_COLOR` and friends, which the reference server's and client's tasks may not read.
 */
function oneLineErrors(command: Command, name: string): Command {
  return command.configureOutput({
    getOutHasColors: () => false,
    getErrHasColors: () => false,
    writeOut: (text) => writeStdout(text),
    outputError: (text, write) =>
      write(
        `sockgrade: ${
          text.trim().replace(/^error: /, "").replace(/\s*\n\s*/g, " ")
        } (run "${name} --help" to see the options)\n`,
      ),
  });
}

/** Writes help and the version to stdout; a reader that went away (`| head`) is not an error. */
function writeStdout(text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

/**
 * Runs the CLI with the given arguments and returns the exit status (a command that fails for a
 * reason it has already explained sets `Deno.exitCode`, e.g. 1 when a port is taken).
 */
export async function main(args: string[]): Promise<number> {
  if (args[0] === WORKER_COMMAND) {
    await (await import("./grader/run/worker_main.ts")).runWorker();
    return 0;
  }
  try {
    await (await buildProgram(args)).parseAsync(args, { from: "user" });
    return Deno.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof GraderFailure) {
      console.error(`sockgrade: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
