/**
 * A stand-in for `main.ts` with only the `server` and `client` commands, shaped like it (a
 * commander program, usage errors exit 2), so the reference solution's end-to-end tests run the
 * CLI the way a user does without depending on the other commands.
 *
 * @module
 */

import { Command } from "commander";
import { runStandalone, serverCommand } from "../../cli/server_command.ts";
import { clientCommand } from "../../cli/client_command.ts";

/** Builds a program with the reference solution's two commands. */
export function buildRefProgram(): Command {
  const program = new Command("sockgrade");
  for (const command of [serverCommand(), clientCommand()]) {
    program.addCommand(command.exitOverride().showHelpAfterError());
  }
  return program;
}

if (import.meta.main) {
  Deno.exitCode = await runStandalone(buildRefProgram(), Deno.args);
}
