/**
 * Finds processes a test or a grading run left behind: any process whose command line mentions a
 * sockgrade temporary folder or an `unshare` wrapper, other than this test process itself.
 *
 * @module
 */

/** One leftover process. */
export interface Leftover {
  /** Its pid. */
  pid: number;
  /** Its command line, spaces for NULs. */
  cmdline: string;
}

/** Lists live processes whose command line contains any of the markers. */
export async function leftoverProcesses(
  markers: readonly string[] = ["sockgrade-", "unshare"],
): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    let cmdline: string;
    let state: string;
    try {
      cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).replaceAll("\0", " ").trim();
      state = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1]?.[0] ?? "";
    } catch {
      continue;
    }
    if (state === "Z" || cmdline === "") continue;
    if (markers.some((m) => cmdline.includes(m)) && !cmdline.includes("deno test")) {
      found.push({ pid, cmdline });
    }
  }
  return found;
}
