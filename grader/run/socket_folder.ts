/**
 * The run's private folder for Unix-domain sockets (EXERCISE.md §6): made inside the submission's
 * temporary copy, which every program of the submission can reach and write (the private
 * filesystem view binds the copy at its own path; in E3 the copy, made before any program runs,
 * is handed to the submission's dedicated user with everything in it), and the probes too. The
 * plan's socket paths are resolved under it; the grader removes it after the run. Since the
 * programs may write it, the probes use it only while it is still the grader's own folder
 * (`grader/probes/socket_folder_guard.ts`), and a submission that moved it fails its run checks.
 *
 * @example
 * ```ts
 * import { withSocketFolder } from "./socket_folder.ts";
 * import { DEFAULT_SPEC } from "../spec.ts";
 * import { loopbackPlan } from "../sandbox/net_plan.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * const spec = { ...DEFAULT_SPEC, transport: "unix-stream" as const };
 * const net = await withSocketFolder({ ...loopbackPlan(), transport: "unix-stream" }, spec, dir);
 * if (net.paths?.serverPath !== `${dir}/.sockets/server.sock`) throw new Error("unexpected");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { join } from "node:path";
import { isIpTransport, type Spec } from "../spec.ts";
import { type NetPlan, socketPaths } from "../sandbox/net_plan.ts";

/** The folder's name inside the submission's copy. */
export const SOCKET_FOLDER = ".sockets";

/**
 * For a Unix-domain transport: makes the socket folder in `workspace` (mode 0700, empty) and
 * returns `net` with the socket paths under it; for IP transports, `net` as it is. Throws a
 * `SpecError` when a path would not fit a socket address.
 */
export async function withSocketFolder(
  net: NetPlan,
  spec: Spec,
  workspace: string,
): Promise<NetPlan> {
  if (isIpTransport(net.transport ?? "tcp")) return net;
  // Canonical, so the probes' guard can tell the folder from a link put in its place.
  const folder = join(await Deno.realPath(workspace), SOCKET_FOLDER);
  const paths = socketPaths(spec, folder);
  await Deno.remove(folder, { recursive: true }).catch(() => {});
  await Deno.mkdir(folder, { mode: 0o700 });
  return { ...net, paths };
}
