/** Tests for reading what the machine has free from /proc. */

import assert from "node:assert/strict";
import {
  cgroupRoomBytes,
  cpuTimes,
  idleShare,
  MachineSampler,
  memAvailableBytes,
} from "./machine.ts";

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

Deno.test("cgroupRoomBytes() is a container's limit less its usage, droppable page cache aside", () => {
  const GiB = 2 ** 30;
  // cgroup v2 (memory.max, memory.current, memory.stat) of a 2 GiB pod using 1.5 GiB, 0.5 GiB of
  // it inactive page cache.
  const v2Stat = `anon ${GiB}\nfile ${GiB / 2}\ninactive_file ${GiB / 2}\nactive_file 0\n`;
  assert.equal(cgroupRoomBytes(`${2 * GiB}\n`, `${1.5 * GiB}\n`, v2Stat), GiB);
  // cgroup v1 (memory.limit_in_bytes, memory.usage_in_bytes, memory.stat's total_ lines).
  const v1Stat = `cache 10\ninactive_file 0\ntotal_inactive_file ${GiB}\n`;
  assert.equal(cgroupRoomBytes(`${4 * GiB}`, `${2 * GiB}`, v1Stat), 3 * GiB);
  // Over the limit (usage counted before reclaim): no room, never a negative figure.
  assert.equal(cgroupRoomBytes(`${GiB}`, `${2 * GiB}`, ""), 0);
  // No limit: v2's "max", v1's huge number, or text that is not a number.
  assert.equal(cgroupRoomBytes("max\n", "123\n", v2Stat), undefined);
  assert.equal(cgroupRoomBytes("9223372036854771712\n", "123\n", v1Stat), undefined);
  assert.equal(cgroupRoomBytes("", "123", ""), undefined);
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
