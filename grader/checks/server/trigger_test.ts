import assert from "node:assert/strict";
import { nearResponse } from "./trigger.ts";

Deno.test("nearResponse() recognises near misses of the response, and only those", () => {
  const near = (line: string) => nearResponse(line, "Receive Query", "Client Query");
  assert.ok(near("recv client query"), "the trigger in other case");
  assert.ok(near("recv msg from client: Client Query"), "an echo of the trigger");
  assert.ok(near("Received Query"), "a few edits away");
  assert.ok(near("receive query"), "case");
  assert.ok(near("[server] Receive Query!"), "the response inside");
  assert.ok(!near("waiting for connections"));
  assert.ok(!near("poll returned 0"));
  assert.ok(!near(""));
});
