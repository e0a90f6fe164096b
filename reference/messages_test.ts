import assert from "node:assert/strict";
import { MessageJudge } from "./messages.ts";
import { escapeBytes } from "../grader/text/bytes.ts";

const encoder = new TextEncoder();
const judge = new MessageJudge(encoder.encode("Client Query"));

Deno.test("MessageJudge.isTrigger() accepts exactly the trigger's bytes", () => {
  assert.ok(judge.isTrigger(encoder.encode("Client Query")));
  for (
    const nearMiss of ["Client Query ", "Client Querz", "client Query", "Client Query\r", "", "C"]
  ) {
    assert.ok(!judge.isTrigger(encoder.encode(nearMiss)), JSON.stringify(nearMiss));
  }
});

Deno.test("MessageJudge.show() shows every message as escapeBytes() does", () => {
  const samples = [
    "Client Query",
    "Cleint Query",
    "back\\slash",
    "tab\there",
    "\uFEFFbom",
    "héllo",
    "x".repeat(65),
    "y".repeat(600),
  ].map((t) => encoder.encode(t));
  samples.push(new Uint8Array([0, 0xff, 0xfe, 67]), new Uint8Array([0xc3]));
  for (const bytes of samples) assert.equal(judge.show(bytes), escapeBytes(bytes, 256));
});
