/**
 * Entry point of a grading worker inside a private namespace (started by `worker_process.ts`):
 * reads jobs as JSON, one per line on its channel with the grader (`worker_channel.ts`: a socket
 * on descriptor 3 that no program it starts can reach); for each it gives `lo` the job's
 * addresses, grades the submission and writes exactly one reply line back,
 * `{ jobId, secret, result, more }`, carrying the job's number and secret. A worker that cannot
 * keep its channel out of programs' reach exits before its first job. Before replying it moves
 * into a fresh, empty network namespace for the next job (`sandbox/fresh_netns.ts`); when it
 * cannot, it replies `more: false` and exits, and the grader starts a new worker. Each submission
 * thus has a network namespace of its own.
 *
 * It is PID 1 of its PID namespace, so when it ends every process a submission started ends too.
 *
 * @module
 */

import { enterFreshNetwork } from "../sandbox/fresh_netns.ts";
import { setupLoopback } from "../sandbox/netns.ts";
import { gradeSubmission } from "./worker.ts";
import { SandboxError } from "../sandbox/errors.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import { type JobMessage, openWorkerChannel, type ReplyMessage } from "./worker_channel.ts";

/**
 * Runs the worker until the grader closes its channel (or it cannot take another job). `main.ts`
 * calls it for the compiled executable's hidden worker command; `deno run worker_main.ts` runs it
 * too.
 */
export async function runWorker(): Promise<void> {
  const channel = openWorkerChannel();
  // The namespace `unshare` made shares the host's TCP socket table: the first job gets a fresh
  // one with a small table of its own too (see `sandbox/fresh_netns.ts`); if that fails, it is
  // graded where the worker started, which is just as private.
  enterFreshNetwork();
  for await (const line of channel.lines) {
    if (line.trim() === "") continue;
    const { jobId, secret, job } = JSON.parse(line) as JobMessage;
    await setupLoopback(addresses(job.net));
    const result = await gradeSubmission(job, {
      // The same addresses in a fresh namespace, mid-job: see `checks/server/output.ts`.
      freshNetwork: async () => {
        if (enterFreshNetwork() !== undefined) return false;
        try {
          await setupLoopback(addresses(job.net));
        } catch (error) {
          throw new SandboxError(
            `the fresh network namespace could not be set up (${(error as Error).message})`,
          );
        }
        return true;
      },
    });
    const more = enterFreshNetwork() === undefined;
    const reply: ReplyMessage = { jobId, secret, result, more };
    await channel.send(JSON.stringify(reply));
    if (!more) break;
  }
  await channel.close();
}

/** The addresses `lo` carries for a job. */
function addresses(net: NetPlan) {
  return { server: net.serverAddress, client: net.clientAddress, stranger: net.strangerAddress };
}

if (import.meta.main) await runWorker();
