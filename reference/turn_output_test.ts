import assert from "node:assert/strict";
import { TurnOutput } from "./turn_output.ts";

const decoder = new TextDecoder();

Deno.test("TurnOutput writes everything written in one turn with one write", async () => {
  const writes: string[] = [];
  const out = new TurnOutput((bytes) => void writes.push(decoder.decode(bytes)));
  // Continuations resumed by the same batch of completed reads, as a server's are.
  await Promise.all(
    Array.from({ length: 100 }, (_, i) => Promise.resolve().then(() => out.write(`${i}\n`))),
  );
  await out.flushed();
  assert.equal(writes.length, 1);
  assert.equal(writes[0], Array.from({ length: 100 }, (_, i) => `${i}\n`).join(""));
});

Deno.test("TurnOutput writes in the turn: nothing waits for a timer", async () => {
  const writes: string[] = [];
  const out = new TurnOutput((bytes) => void writes.push(decoder.decode(bytes)));
  out.write("a\n");
  await Promise.resolve();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(writes, ["a\n"]);
  out.write("b\n");
  out.flush();
  assert.deepEqual(writes, ["a\n", "b\n"]);
  await out.flushed();
});

Deno.test("TurnOutput reports a sink that fails and keeps going", async () => {
  const errors: string[] = [];
  let fail = true;
  const writes: string[] = [];
  const out = new TurnOutput((bytes) => {
    if (fail) throw new Error("broken pipe");
    writes.push(decoder.decode(bytes));
  }, (error) => errors.push(error.message));
  out.write("lost\n");
  await out.flushed();
  fail = false;
  out.write("kept\n");
  await out.flushed();
  assert.deepEqual(errors, ["broken pipe"]);
  assert.deepEqual(writes, ["kept\n"]);
});
