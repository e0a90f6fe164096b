/**
 * Benchmark of the reference server (server.ts) against a fork-per-connection C server
 * (bench/fork_server.c, compiled with `cc` into a temp dir), side by side in one run.
 *
 * Load: 1,000 concurrent connections on 127.0.0.1, 100 rounds; in each round every connection
 * writes one trigger between two near misses (`Cleint Query\nClient Query\nClient Query test\n`),
 * and the next round starts once all 1,000 responses of this one are on the server's stdout.
 * That makes exactly 100,000 response lines per server, which the script checks.
 *
 * Figures: triggers/s (100,000 over the time from the first write to the last response line);
 * p50/p99 trigger-to-line latency (the k-th response line of a round matched with the k-th
 * trigger written in it, as all responses are the same line); peak RSS (VmHWM in
 * /proc/<pid>/status, summed over the fork server's children) and PSS (from smaps_rollup, which
 * shares the pages the forked children have in common) taken with all 1,000 connections open;
 * CPU time (user + system) spent from the first write to the last response line, counted by a
 * cgroup of the server's own where one can be made (every process, children that exited included;
 * `_cpu_account.ts`), else by the clock ticks of its live process tree, and the table says which.
 * Servers log to /dev/null and run under `prlimit --nofile=8192`.
 *
 * Run: `deno run -A bench/server_bench.ts` (task `bench:server`). It prints a markdown table.
 *
 * @module
 */

import { freePort } from "../grader/sandbox/free_port.ts";
import { CpuAccount } from "./_cpu_account.ts";
import { processTree } from "../tests/_helpers/process_tree.ts";

const CONNECTIONS = 1_000;
const ROUNDS = 100;
const PAYLOAD = new TextEncoder().encode("Cleint Query\nClient Query\nClient Query test\n");
const ROUND_DEADLINE_MS = 60_000;
const NOFILE = 8192;

const ROOT = new URL("..", import.meta.url).pathname;

interface Result {
  name: string;
  triggersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssKiB: number;
  pssKiB: number;
  processes: number;
  cpuSeconds: number;
  /** What counted the CPU time (see `_cpu_account.ts`). */
  cpuSource: "cgroup" | "ticks";
}

function statusField(pid: number, field: string): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function pss(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    return Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function connectWhenReady(port: number, deadline: number): Promise<void> {
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

async function run(name: string, command: string[]): Promise<Result> {
  const port = freePort();
  const child = new Deno.Command("prlimit", {
    args: [`--nofile=${NOFILE}:${NOFILE}`, ...command, "127.0.0.1", String(port)],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // Before any connection: every child the server forks is counted too.
  using account = CpuAccount.join(child.pid);

  const arrivals = new Float64Array(CONNECTIONS * ROUNDS + 1);
  let lines = 0;
  let wake = () => {};
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      const now = performance.now();
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        if (lines < arrivals.length) arrivals[lines] = now;
        lines++;
      }
      wake();
    }
  })();
  const waitForLines = async (count: number) => {
    const deadline = performance.now() + ROUND_DEADLINE_MS;
    while (lines < count) {
      if (performance.now() > deadline) {
        throw new Error(`${name}: only ${lines} of ${count} response lines arrived in time`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };

  const conns: Deno.TcpConn[] = [];
  try {
    await connectWhenReady(port, performance.now() + 30_000);
    for (let i = 0; i < CONNECTIONS; i += 100) {
      conns.push(
        ...await Promise.all(
          Array.from(
            { length: Math.min(100, CONNECTIONS - i) },
            () => Deno.connect({ hostname: "127.0.0.1", port }),
          ),
        ),
      );
    }
    const sent = new Float64Array(CONNECTIONS);
    const latencies = new Float64Array(CONNECTIONS * ROUNDS);
    const cpuAtStart = account.seconds();
    const start = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const writes = conns.map((conn, i) => {
        sent[i] = performance.now();
        return writeAll(conn, PAYLOAD);
      });
      await Promise.all(writes);
      await waitForLines((round + 1) * CONNECTIONS);
      const order = sent.slice().sort();
      for (let k = 0; k < CONNECTIONS; k++) {
        latencies[round * CONNECTIONS + k] = arrivals[round * CONNECTIONS + k]! - order[k]!;
      }
    }
    const elapsed = arrivals[CONNECTIONS * ROUNDS - 1]! - start;
    const cpuUsed = account.seconds() - cpuAtStart;
    const tree = processTree(child.pid);
    const peakRssKiB = tree.reduce((sum, pid) => sum + statusField(pid, "VmHWM"), 0);
    const pssKiB = tree.reduce((sum, pid) => sum + pss(pid), 0);
    latencies.sort();
    return {
      name,
      triggersPerSecond: (CONNECTIONS * ROUNDS) / (elapsed / 1000),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      peakRssKiB,
      pssKiB,
      processes: tree.length,
      cpuSeconds: cpuUsed,
      cpuSource: account.source,
    };
  } finally {
    for (const conn of conns) conn.close();
    try {
      child.kill("SIGTERM");
    } catch {
      // The server has already exited; its status below says how.
    }
    await child.status;
    await reading;
    if (lines !== CONNECTIONS * ROUNDS) {
      console.error(`${name}: expected exactly ${CONNECTIONS * ROUNDS} lines, got ${lines}`);
      Deno.exitCode = 1;
    }
  }
}

function openFilesLimit(): number {
  const limits = Deno.readTextFileSync("/proc/self/limits");
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 0);
}

async function compileForkServer(): Promise<{ dir: string; binary: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-bench-" });
  const binary = `${dir}/fork_server`;
  const { code, stderr } = await new Deno.Command("cc", {
    args: ["-O2", "-Wall", "-Wextra", "-o", binary, `${ROOT}bench/fork_server.c`],
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`cc could not build fork_server.c:\n${new TextDecoder().decode(stderr)}`);
  }
  return { dir, binary };
}

function machine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1];
  return `${navigator.hardwareConcurrency} CPUs (nproc), ${cpu ?? "unknown CPU"}, ${Deno.build.os}`;
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

if (import.meta.main) {
  if (openFilesLimit() < CONNECTIONS * 2 + 100) {
    console.error(
      `The open-files limit is ${openFilesLimit()}, too low for ${CONNECTIONS} connections: run \`ulimit -n ${NOFILE}\` first.`,
    );
    Deno.exit(1);
  }
  const { dir, binary } = await compileForkServer();
  try {
    const results = [
      await run("server.ts (Deno, one process)", [
        Deno.execPath(),
        "run",
        "--allow-net",
        "--allow-read",
        `${ROOT}server.ts`,
        "--hostname",
        "127.0.0.1",
      ]),
      await run("fork_server.c (fork per connection)", [binary]),
    ];
    console.log(
      `Server benchmark, ${
        new Date().toISOString().slice(0, 10)
      }, ${machine()}, Deno ${Deno.version.deno}.`,
    );
    console.log(
      `${CONNECTIONS} connections on 127.0.0.1 x ${ROUNDS} rounds of one trigger and two near misses = ${
        CONNECTIONS * ROUNDS
      } response lines each.\n`,
    );
    console.log(
      "| server | triggers/s | p50 latency | p99 latency | CPU (user + sys) | peak RSS (VmHWM, summed) | PSS | processes |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${Math.round(r.triggersPerSecond).toLocaleString("en-US")} | ${
          r.p50Ms.toFixed(1)
        } ms | ${r.p99Ms.toFixed(1)} ms | ${r.cpuSeconds.toFixed(2)} s | ${mib(r.peakRssKiB)} | ${
          mib(r.pssKiB)
        } | ${r.processes} |`,
      );
    }
    const sources = new Set(results.map((r) => r.cpuSource));
    console.log(
      sources.has("ticks")
        ? "\nCPU: clock ticks of the live process tree (no cgroup could be made: run as root for exact figures); a child that exited unwaited for, and the fraction of a tick each process used, are not counted."
        : "\nCPU: counted by a cgroup of each server's own (every process, children that exited included).",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
