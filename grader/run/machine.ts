/**
 * What the machine has free, read from Linux's `/proc`: the CPU time counters of `/proc/stat`
 * (whose difference between two readings gives the share of time the CPU was idle) and
 * `MemAvailable` of `/proc/meminfo`, or less where the run's cgroup has a memory limit (a
 * container or a pod with `--memory` or `resources.limits.memory`, whose `/proc/meminfo` shows the
 * host's memory): the limit less what the cgroup uses, page cache it can drop not counted. The
 * parsers are pure; {@linkcode MachineSampler} reads the files. Where `/proc` cannot be read (not
 * Linux), there is no sample and the run keeps its lanes.
 *
 * @example
 * ```ts
 * import { cpuTimes, idleShare, memAvailableBytes } from "./machine.ts";
 * const a = cpuTimes("cpu  100 0 100 700 100 0 0 0 0 0\n")!;
 * const b = cpuTimes("cpu  150 0 150 1000 100 0 0 0 0 0\n")!;
 * if (idleShare(a, b) !== 0.75) throw new Error("300 of 400 ticks were idle");
 * if (memAvailableBytes("MemAvailable:    2048 kB\n") !== 2048 * 1024) throw new Error();
 * if (cgroupRoomBytes("1000", "600", "inactive_file 100\n") !== 500) throw new Error();
 * ```
 *
 * @module
 */

/** The CPU time counters of all cores together, in ticks. */
export interface CpuTimes {
  /** Ticks spent idle (idle and iowait). */
  idle: number;
  /** All ticks. */
  total: number;
}

/** The counters on the `cpu` line of `/proc/stat`; undefined when there is none. */
export function cpuTimes(stat: string): CpuTimes | undefined {
  const line = stat.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 5 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) };
}

/** The share of CPU time that was idle between two readings, 0 to 1 (0 when no time passed). */
export function idleShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, (after.idle - before.idle) / total));
}

/** `MemAvailable` of `/proc/meminfo`, in bytes; undefined when it is not there. */
export function memAvailableBytes(meminfo: string): number | undefined {
  const kb = /^MemAvailable:\s+(\d+)\s*kB/m.exec(meminfo)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** A cgroup memory limit at or above this is no limit (cgroup v1 writes "unlimited" as ~2^63). */
const NO_LIMIT_BYTES = 2 ** 60;

/**
 * The memory a cgroup may still use, in bytes: its limit (`memory.max` of cgroup v2, or
 * `memory.limit_in_bytes` of v1) less its usage (`memory.current`, or `memory.usage_in_bytes`)
 * without the inactive page cache of its `memory.stat` (`inactive_file`, or v1's
 * `total_inactive_file`), which the kernel drops before it kills anything. Undefined without a
 * limit ("max", or v1's huge number) or for text that is not a number.
 */
export function cgroupRoomBytes(limit: string, usage: string, stat: string): number | undefined {
  const bytes = (text: string) => /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
  const max = bytes(limit);
  const used = bytes(usage);
  if (max === undefined || used === undefined || max >= NO_LIMIT_BYTES) return undefined;
  // v1 lists the group's own `inactive_file` and, like its usage, the whole subtree's `total_` one.
  const inactive = Number(
    (/^total_inactive_file (\d+)$/m.exec(stat) ?? /^inactive_file (\d+)$/m.exec(stat))?.[1] ?? 0,
  );
  return Math.max(0, max - Math.max(0, used - inactive));
}

/** Where the run's cgroup memory figures are: cgroup v2, then v1, as a container mounts them. */
const CGROUP_MEMORY = [
  ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory.stat"],
  [
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    "/sys/fs/cgroup/memory/memory.stat",
  ],
] as const;

/** What the run's cgroup may still use ({@linkcode cgroupRoomBytes}), or undefined. */
function cgroupRoom(): number | undefined {
  for (const [limit, usage, stat] of CGROUP_MEMORY) {
    try {
      return cgroupRoomBytes(
        Deno.readTextFileSync(limit),
        Deno.readTextFileSync(usage),
        Deno.readTextFileSync(stat),
      );
    } catch {
      continue;
    }
  }
  return undefined;
}

/** One sample: the idle share since the previous one, and the memory available now. */
export interface MachineSample {
  /** The share of CPU time the machine was idle since the previous sample, 0 to 1. */
  idle: number;
  /** Memory available now, in bytes (within the run's cgroup limit, where it has one). */
  memAvailableBytes: number;
}

/** Reads `/proc` at each call to {@linkcode MachineSampler.sample}. */
export class MachineSampler {
  #last: CpuTimes | undefined;

  constructor() {
    this.#last = this.#cpu();
  }

  #cpu(): CpuTimes | undefined {
    try {
      return cpuTimes(Deno.readTextFileSync("/proc/stat"));
    } catch {
      return undefined;
    }
  }

  /** The figures since the previous call (or construction); undefined where `/proc` is missing. */
  sample(): MachineSample | undefined {
    const now = this.#cpu();
    const before = this.#last;
    this.#last = now;
    if (!now || !before) return undefined;
    let memory: number | undefined;
    try {
      memory = memAvailableBytes(Deno.readTextFileSync("/proc/meminfo"));
    } catch {
      memory = undefined;
    }
    if (memory === undefined) return undefined;
    const room = cgroupRoom();
    return {
      idle: idleShare(before, now),
      memAvailableBytes: room === undefined ? memory : Math.min(memory, room),
    };
  }
}
