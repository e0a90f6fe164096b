/**
 * The sockgrade command line: `server` and `client` run the reference solution, `grade` grades
 * submissions, `merge` joins sharded results. Each command lives in `cli/`; this file only
 * assembles them and maps errors to exit statuses (EXERCISE.md §5): 0 when the command ran,
 * 2 for usage errors (printed as one line), 1 for grader failures (such as `--isolation netns`
 * where namespaces cannot be made). Bugs are not swallowed: any
 * other error is rethrown with its stack.
 *
 * @module
 */

import { Command, CommanderError } from "commander";
import { UsageError } from "./cli/usage_error.ts";
import { SpecError } from "./grader/spec.ts";
import { IsolationError } from "./grader/grade.ts";
import { serverCommand } from "./cli/server_command.ts";
import { clientCommand } from "./cli/client_command.ts";
import { gradeCommand } from "./cli/grade_command.ts";
import { mergeCommand } from "./cli/merge_command.ts";

/** Builds the sockgrade program with all its commands. */
export function buildProgram(): Command {
  const program = new Command("sockgrade")
    .description(
      "Autograder and reference solution for the socket homework: a server that answers " +
        '"Client Query" from one allowed address, and a client that sends three messages.',
    )
    .exitOverride();
  oneLineErrors(program, "sockgrade");
  for (const command of [serverCommand(), clientCommand(), gradeCommand(), mergeCommand()]) {
    program.addCommand(oneLineErrors(command.exitOverride(), `sockgrade ${command.name()}`));
  }
  return program;
}

/**
 * Makes commander's own usage errors (unknown option, bad choice, missing argument) one line
 * on stderr, worded like sockgrade's: `sockgrade: unknown option '--bogus' (run "sockgrade grade
 * --help" to see the options)`.
 */
function oneLineErrors(command: Command, name: string): Command {
  return command.configureOutput({
    outputError: (text, write) =>
      write(
        `sockgrade: ${
          text.trim().replace(/^error: /, "").replace(/\s*\n\s*/g, " ")
        } (run "${name} --help" to see the options)\n`,
      ),
  });
}

/**
 * Runs the CLI with the given arguments and returns the exit status (a command that fails for a
 * reason it has already explained sets `Deno.exitCode`, e.g. 1 when a port is taken).
 */
export async function main(args: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: "user" });
    return Deno.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof SpecError) {
      console.error(`sockgrade: ${error.message}`);
      return 2;
    }
    if (error instanceof IsolationError) {
      console.error(`sockgrade: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
