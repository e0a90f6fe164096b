/**
 * Finding the system tools the sandbox relies on (`unshare`, `ip`, `bwrap`) on the system's own
 * folders, never on a PATH that a caller or a submission could change.
 *
 * @module
 */

/** The system folders searched, in order. */
export const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The absolute path of `name` in the system folders, or `undefined` when it is not installed. */
export function which(name: string): string | undefined {
  for (const dir of SYSTEM_PATH.split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
