/** Tests for the programs under the socket interposer: wording in spec terms, refusals named. */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { CheckOutcome } from "../checks/types.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import {
  inSpecTerms,
  noteRefusals,
  type ProgramsUnder,
  refusalNote,
} from "./interposed_programs.ts";
import type { BuildOutcome } from "../submission/build_outcome.ts";

const NET: NetPlan = {
  mode: "none",
  serverAddress: "127.100.3.1",
  clientAddress: "127.100.3.2",
  strangerAddress: "127.100.3.3",
  port: 41234,
  interposer: {
    library: "/tmp/x/sockmap.so",
    spec: {
      serverAddress: "192.168.100.168",
      clientAddress: "192.168.100.2",
      strangerAddress: "192.168.100.3",
      port: 6666,
    },
  },
};

function outcome(status: CheckOutcome["status"], message: string): CheckOutcome {
  return { id: "client.connects", status, message, evidence: {}, durationMs: 0 };
}

Deno.test("inSpecTerms() words lane addresses and port as the spec's, in messages and evidence", () => {
  const [o] = inSpecTerms(NET, [{
    ...outcome(
      "fail",
      "nothing listened on port 41234 at 127.100.3.1:41234 from ::ffff:127.100.3.2",
    ),
    evidence: { probes: [{ from: "127.100.3.3:5000", to: "127.100.3.1:41234" }], n: 41234 },
  }]);
  assert.equal(
    o!.message,
    "nothing listened on port 6666 at 192.168.100.168:6666 from 192.168.100.2",
  );
  assert.deepEqual(o!.evidence, {
    probes: [{ from: "192.168.100.3:5000", to: "192.168.100.168:6666" }],
    n: 41234,
  });
  // 127.100.3.10 is not the lane's 127.100.3.1, and the namespace's plan is left alone
  assert.equal(inSpecTerms(NET, [outcome("fail", "127.100.3.10")])[0]!.message, "127.100.3.10");
  const inside: NetPlan = { ...NET, mode: "netns" };
  assert.equal(inSpecTerms(inside, [outcome("fail", "127.100.3.1")])[0]!.message, "127.100.3.1");
});

Deno.test("noteRefusals() names each refused address in the checks that did not pass, once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const logFile = join(dir, "net.log");
    await Deno.writeTextFile(
      logFile,
      "client\tconnect\t10.0.0.1:6666\nclient\tconnect\t10.0.0.1:6666\nclient\tlookup\tevil\x1b[2J\n",
    );
    const under: ProgramsUnder = { built: {} as BuildOutcome, logFile, logRead: 0 };
    const [failed, passed] = await noteRefusals(under, [
      outcome("fail", "your client did not connect"),
      outcome("pass", "fine"),
    ]);
    assert.equal(
      failed!.message,
      "your client did not connect (your client tried to reach 10.0.0.1:6666; your client tried to look up the name evil?[2J: only this machine and the spec's addresses can be reached here, so sockgrade refused it with ENETUNREACH, as the private network namespace would)",
    );
    assert.deepEqual(failed!.evidence.refused, [
      "client connect 10.0.0.1:6666",
      "client lookup evil?[2J",
    ]);
    assert.equal(passed!.message, "fine");
    // what was read is not named again for the next group
    const [again] = await noteRefusals(under, [outcome("fail", "later")]);
    assert.equal(again!.message, "later");
    assert.equal(
      refusalNote(under),
      "off-machine addresses the programs tried, refused by sockgrade's socket interposer: client connect 10.0.0.1, client lookup evil?[2J",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
