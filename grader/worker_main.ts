/**
 * Entry point of a grading worker inside a submission's private network namespace: reads one
 * {@linkcode WorkerJob} as JSON on standard input, gives `lo` the job's addresses, grades the
 * submission and writes its `SubmissionResult` as JSON on standard output. It is PID 1 of the
 * namespace, so when it ends every process the submission started ends with it.
 *
 * @module
 */

import { gradeSubmission, type WorkerJob } from "./worker.ts";
import { setupLoopback } from "./sandbox/netns.ts";

/** Reads all of standard input as text. */
async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

if (import.meta.main) {
  const job = JSON.parse(await readStdin()) as WorkerJob;
  await setupLoopback({
    server: job.net.serverAddress,
    client: job.net.clientAddress,
    stranger: job.net.strangerAddress,
  });
  const result = await gradeSubmission(job);
  await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result) + "\n"));
}
