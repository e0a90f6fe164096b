/**
 * The machine a bench ran on, for the line printed above its figures: the core count, the CPU
 * model and the load average at the moment of the call (the machine may be shared, so a figure
 * means little without it).
 *
 * @module
 */

/** The CPU model named in `/proc/cpuinfo`, or `unknown CPU`. */
export function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.*)/.exec(info)?.[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

/** The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them, or `unknown`. */
export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** One line: cores, CPU model, Deno's version and the load average now. */
export function describeMachine(): string {
  return `${navigator.hardwareConcurrency} cores (${cpuModel()}), Deno ${Deno.version.deno}, load average ${loadAverage()}`;
}
