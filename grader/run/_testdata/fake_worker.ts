/**
 * A stand-in for `worker_main.ts` in worker_process_test.ts and grade_test.ts. It talks on the real
 * channel (`worker_channel.ts`); what it does with a job depends on the job's student `id`:
 * - `reply`: replies `{ result, more: true }` with an id of this process as the result's `path`;
 * - `last`: replies with `more: false` and exits;
 * - `crash`: appends a line to `<job.path>/attempts`, writes to stderr and exits with status 3;
 * - `silent`: never replies;
 * - `garbage`: replies with a line that is not JSON;
 * - `wrong-secret`, `wrong-job`, `other-student`: a reply with a secret it made up, another job's
 *   number, or another student's result;
 * - `forge-first`: a made-up reply with a score of 1000 first, then the real one;
 * - `twice`: the real reply, then a second one with a score of 1000 (the same ticket);
 * - `fds`: the real reply, its `path` the descriptors a program it starts holds and whether that
 *   program could write to this worker's channel through `/proc`.
 *
 * @module
 */

import { type JobMessage, openWorkerChannel } from "../worker_channel.ts";

// Not Deno.pid: every worker is PID 1 of its own PID namespace.
const me = crypto.randomUUID();
const channel = openWorkerChannel();
const send = (value: unknown) => channel.send(JSON.stringify(value));

/** What a program started by this worker sees of it: its descriptors, and the channel by /proc. */
async function whatAProgramSees(): Promise<string> {
  const script = "ls /proc/self/fd | tr '\\n' ' '; " +
    `if echo forged 2>/dev/null > /proc/${Deno.pid}/fd/3; then echo wrote; else echo refused; fi`;
  const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "null" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

for await (const line of channel.lines) {
  const { jobId, secret, job } = JSON.parse(line) as JobMessage;
  const reply = (more: boolean, extra: Record<string, unknown> = {}) =>
    send({ jobId, secret, result: { id: job.id, path: me, ...extra }, more });
  if (job.id === "reply") await reply(true);
  else if (job.id === "last") {
    await reply(false);
    break;
  } else if (job.id === "crash") {
    await Deno.writeTextFile(`${job.path}/attempts`, "attempt\n", { append: true });
    console.error("the fake worker crashed on purpose");
    Deno.exit(3);
  } else if (job.id === "garbage") await channel.send("not json");
  else if (job.id === "silent") await new Promise(() => {});
  else if (job.id === "wrong-secret") {
    await send({ jobId, secret: "0".repeat(64), result: { id: job.id, path: me }, more: true });
  } else if (job.id === "wrong-job") {
    await send({ jobId: jobId + 1, secret, result: { id: job.id, path: me }, more: true });
  } else if (job.id === "other-student") {
    await send({ jobId, secret, result: { id: "someone-else", path: me }, more: true });
  } else if (job.id === "forge-first") {
    await send({ jobId, secret: "f".repeat(64), result: { id: job.id, score: 1000 }, more: true });
    await reply(true);
  } else if (job.id === "twice") {
    await reply(true);
    await reply(true, { score: 1000 });
  } else if (job.id === "fds") await reply(true, { path: await whatAProgramSees() });
}
await channel.close();
