/**
 * Entry point of a grading worker inside a private namespace (started by `worker_process.ts`):
 * reads {@linkcode WorkerJob}s as JSON, one per line on standard input; for each it gives `lo`
 * the job's addresses, grades the submission and writes `{ result, more }` as one JSON line on
 * standard output. Before replying it moves into a fresh, empty network namespace for the next
 * job (`sandbox/fresh_netns.ts`); when it cannot, it replies `more: false` and exits, and the
 * grader starts a new worker. Each submission thus has a network namespace of its own.
 *
 * It is PID 1 of its PID namespace, so when it ends every process a submission started ends too.
 *
 * @module
 */

import { readLines } from "./_lines.ts";
import { enterFreshNetwork } from "./sandbox/fresh_netns.ts";
import { setupLoopback } from "./sandbox/netns.ts";
import { gradeSubmission, type WorkerJob } from "./worker.ts";
import type { WorkerReply } from "./worker_process.ts";

/**
 * Runs the worker until its standard input ends (or it cannot take another job). `main.ts` calls
 * it for the compiled executable's hidden worker command; `deno run worker_main.ts` runs it too.
 */
export async function runWorker(): Promise<void> {
  const out = Deno.stdout.writable.getWriter();
  const encoder = new TextEncoder();
  // The namespace `unshare` made shares the host's TCP socket table: the first job gets a fresh
  // one with a small table of its own too (see `sandbox/fresh_netns.ts`); if that fails, it is
  // graded where the worker started, which is just as private.
  enterFreshNetwork();
  for await (const line of readLines(Deno.stdin.readable)) {
    if (line.trim() === "") continue;
    const job = JSON.parse(line) as WorkerJob;
    await setupLoopback({
      server: job.net.serverAddress,
      client: job.net.clientAddress,
      stranger: job.net.strangerAddress,
    });
    const result = await gradeSubmission(job);
    const more = enterFreshNetwork() === undefined;
    const reply: WorkerReply = { result, more };
    await out.write(encoder.encode(JSON.stringify(reply) + "\n"));
    if (!more) break;
  }
  await out.close();
}

if (import.meta.main) await runWorker();
