/**
 * A stand-in for `worker_main.ts` in worker_process_test.ts and grade_test.ts; what it does with
 * a job depends on the job's `id`:
 * - `reply`: replies `{ result, more: true }` with an id of this process as the result's `path`;
 * - `last`: replies with `more: false` and exits;
 * - `crash`: appends a line to `<job.path>/attempts`, writes to stderr and exits with status 3;
 * - `silent`: never replies;
 * - `garbage`: replies with a line that is not JSON.
 *
 * @module
 */

import { readLines } from "../_lines.ts";

const encoder = new TextEncoder();
// Not Deno.pid: every worker is PID 1 of its own PID namespace.
const me = crypto.randomUUID();
const out = Deno.stdout.writable.getWriter();
for await (const line of readLines(Deno.stdin.readable)) {
  const job = JSON.parse(line) as { id: string; path: string };
  const reply = (more: boolean) =>
    out.write(
      encoder.encode(
        JSON.stringify({ result: { id: job.id, path: me }, more }) + "\n",
      ),
    );
  if (job.id === "reply") await reply(true);
  else if (job.id === "last") {
    await reply(false);
    break;
  } else if (job.id === "crash") {
    await Deno.writeTextFile(`${job.path}/attempts`, "attempt\n", { append: true });
    console.error("the fake worker crashed on purpose");
    Deno.exit(3);
  } else if (job.id === "garbage") await out.write(encoder.encode("not json\n"));
  else if (job.id === "silent") await new Promise(() => {});
}
await out.close();
