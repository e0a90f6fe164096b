/**
 * Per-program cgroups (v1) for the sandbox: a `pids` group that caps processes and threads and
 * lists every member (daemons included), and a `memory` group that caps the resident memory of
 * the whole program tree and says whether its OOM killer struck.
 *
 * Each controller is used when its hierarchy is mounted and writable (as root, or root of a user
 * namespace that maps to the owner); groups live in a `sockgrade` folder at the hierarchy's root
 * and are removed when the program is gone (empty groups a killed grader left are swept when the
 * next grader process starts). A program joins its groups itself, before it runs
 * anything (the shell shim writes its pid to each `cgroup.procs`).
 *
 * Only this folder imports it.
 *
 * @module
 */

import { exists, signalAll } from "./_proc.ts";
import { SandboxError } from "./errors.ts";

const ROOT = "/sys/fs/cgroup";

/** Which controllers work here (detected once). */
export interface CgroupSupport {
  /** The `pids` controller caps processes and lists members. */
  pids: boolean;
  /** The `memory` controller caps memory. */
  memory: boolean;
}

const bases: Partial<Record<keyof CgroupSupport, string | null>> = {};
let counter = 0;

/** The writable `sockgrade` folder of a v1 controller, or null (detected once). */
function base(controller: keyof CgroupSupport): string | null {
  const known = bases[controller];
  if (known !== undefined) return known;
  let found: string | null = null;
  try {
    Deno.statSync(`${ROOT}/${controller}/cgroup.procs`);
    const dir = `${ROOT}/${controller}/sockgrade`;
    Deno.mkdirSync(dir, { recursive: true });
    Deno.statSync(`${dir}/${controller === "pids" ? "pids.max" : "memory.limit_in_bytes"}`);
    found = dir;
    sweep(dir);
  } catch {
    found = null;
  }
  bases[controller] = found;
  return found;
}

/** How old an empty group must be before {@linkcode sweep} removes it. */
const STALE_MS = 60_000;

/**
 * Removes the empty groups a grader left when it was killed before it could clean up (a worker
 * that ran out of time). Only groups older than a minute: a group another grader has just made
 * is empty until its program joins it. A group that still has members cannot be removed.
 */
function sweep(dir: string): void {
  const now = Date.now();
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isDirectory) continue;
      const path = `${dir}/${entry.name}`;
      const made = Deno.statSync(path).mtime?.getTime() ?? now;
      if (now - made > STALE_MS && members(path).length === 0) remove(path);
    }
  } catch {
    // a sweep is best effort
  }
}

/** Which controllers can be used (detected once; creates the `sockgrade` folders). */
export function cgroupSupport(): CgroupSupport {
  return { pids: base("pids") !== null, memory: base("memory") !== null };
}

function remove(dir: string): boolean {
  try {
    Deno.removeSync(dir);
    return true;
  } catch (error) {
    return error instanceof Deno.errors.NotFound;
  }
}

function members(dir: string): number[] {
  try {
    return Deno.readTextFileSync(`${dir}/cgroup.procs`).split("\n").filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** The cgroups of one program. */
export class ProgramCgroups {
  readonly #pids: string | undefined;
  readonly #memory: string | undefined;

  private constructor(pids: string | undefined, memory: string | undefined) {
    this.#pids = pids;
    this.#memory = memory;
  }

  /**
   * Makes a group per controller that works here (see {@linkcode cgroupSupport}) with these
   * caps. Throws a {@linkcode SandboxError} when a controller that works cannot make one now
   * (the grader's fault, e.g. too many groups): running the program uncapped would be unsafe.
   */
  static create(processes: number, memoryBytes: number, label: string): ProgramCgroups {
    const name = `${Deno.pid}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
    const made: string[] = [];
    const make = (controller: keyof CgroupSupport, file: string, value: number) => {
      const root = base(controller);
      if (root === null) return undefined;
      const dir = `${root}/${name}`;
      try {
        Deno.mkdirSync(dir);
        made.push(dir);
        Deno.writeTextFileSync(`${dir}/${file}`, String(value));
        return dir;
      } catch (error) {
        for (const d of made) remove(d);
        throw new SandboxError(
          `Cannot start ${label}: its ${controller} cgroup could not be made in ${root} (${
            (error as Error).message
          }).`,
          { cause: error },
        );
      }
    };
    const pids = make("pids", "pids.max", processes);
    return new ProgramCgroups(pids, make("memory", "memory.limit_in_bytes", memoryBytes));
  }

  /** The `cgroup.procs` files the program writes its pid to, space-separated ("" for none). */
  get procsFiles(): string {
    return [this.#pids, this.#memory].filter((d) => d !== undefined).map((d) => `${d}/cgroup.procs`)
      .join(" ");
  }

  /** Whether a memory group caps the program's memory. */
  get capsMemory(): boolean {
    return this.#memory !== undefined;
  }

  /** Whether a pids group lists the members. */
  get listsMembers(): boolean {
    return this.#pids !== undefined;
  }

  /** Every member right now (empty without a pids or memory group). */
  pids(): number[] {
    const dir = this.#pids ?? this.#memory;
    return dir ? members(dir) : [];
  }

  /** Whether the memory group's OOM killer killed a member (read before {@linkcode remove}). */
  memoryExceeded(): boolean {
    if (!this.#memory) return false;
    try {
      const control = Deno.readTextFileSync(`${this.#memory}/memory.oom_control`);
      const kills = /^oom_kill (\d+)/m.exec(control)?.[1];
      if (kills !== undefined) return Number(kills) > 0;
      return Number(Deno.readTextFileSync(`${this.#memory}/memory.failcnt`).trim()) > 0;
    } catch {
      return false;
    }
  }

  /** Peak memory use of the group in bytes, or undefined without a memory group. */
  peakMemoryBytes(): number | undefined {
    if (!this.#memory) return undefined;
    try {
      return Number(Deno.readTextFileSync(`${this.#memory}/memory.max_usage_in_bytes`).trim());
    } catch {
      return undefined;
    }
  }

  /** Kills what is left in the groups and removes them (gives up after about 100 ms). */
  async remove(): Promise<void> {
    for (const dir of [this.#pids, this.#memory]) {
      if (!dir) continue;
      for (let attempt = 0; attempt < 50; attempt++) {
        if (remove(dir)) break;
        const left = members(dir);
        signalAll(left, "SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (left.every((pid) => !exists(pid)) && remove(dir)) break;
      }
    }
  }

  /** Removes the groups right away when the program could not be started. */
  removeNow(): void {
    for (const dir of [this.#pids, this.#memory]) if (dir) remove(dir);
  }
}
