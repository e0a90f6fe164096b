/** Tests for reading what the machine has free from /proc. */

import assert from "node:assert/strict";
import { cpuTimes, idleShare, MachineSampler, memAvailableBytes } from "./machine.ts";

const STAT = `cpu  37218 525 26426 2185136 282 0 694 0 0 0
cpu0 18000 200 13000 1090000 100 0 300 0 0 0
intr 123
`;

Deno.test("cpuTimes() counts idle and iowait as idle, and every field up to steal", () => {
  assert.deepEqual(cpuTimes(STAT), {
    idle: 2185136 + 282,
    total: 37218 + 525 + 26426 + 2185136 + 282 + 694,
  });
});

Deno.test("cpuTimes() gives nothing for text without a cpu line", () => {
  assert.deepEqual(cpuTimes("intr 1\n"), undefined);
  assert.deepEqual(cpuTimes("cpu  a b c d e\n"), undefined);
});

Deno.test("idleShare() is the idle part of the ticks between two readings", () => {
  assert.deepEqual(idleShare({ idle: 100, total: 200 }, { idle: 150, total: 400 }), 0.25);
  assert.deepEqual(idleShare({ idle: 100, total: 200 }, { idle: 100, total: 200 }), 0);
});

Deno.test("memAvailableBytes() reads MemAvailable in bytes", () => {
  const meminfo = "MemTotal:       24683748 kB\nMemFree: 1 kB\nMemAvailable:   23629392 kB\n";
  assert.deepEqual(memAvailableBytes(meminfo), 23629392 * 1024);
  assert.deepEqual(memAvailableBytes("MemTotal: 1 kB\n"), undefined);
});

Deno.test({
  name: "MachineSampler reads this machine's /proc",
  ignore: Deno.build.os !== "linux",
  fn() {
    const sample = new MachineSampler().sample();
    assert.deepEqual(typeof sample?.idle, "number");
    assert.deepEqual(sample!.idle >= 0 && sample!.idle <= 1, true);
    assert.deepEqual(sample!.memAvailableBytes > 0, true);
  },
});
