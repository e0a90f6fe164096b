/**
 * The file of a Unix-domain socket: a server that stopped without removing it leaves a stale
 * socket file behind, and binding the same path again fails with "address in use". So before
 * binding, a socket file at the path is removed, but never a file of another type (a regular
 * file, a folder, a link): that is a mistake in the path, and it is reported instead.
 *
 * @example
 * ```ts
 * import { removeStaleSocket } from "./socket_path.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/server.sock`;
 * Deno.listen({ transport: "unix", path }).close();
 * removeStaleSocket(path);
 * Deno.listen({ transport: "unix", path }).close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

/** A path that is taken by something other than a socket; its message says what to do. */
export class NotASocketError extends Error {
  override name = "NotASocketError";
}

/**
 * Removes a leftover socket file at `path`; does nothing when nothing is there.
 *
 * @throws {NotASocketError} when `path` is a file of another type.
 */
export function removeStaleSocket(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isSocket) {
    const what = info.isDirectory ? "a folder" : info.isSymlink ? "a symbolic link" : "a file";
    throw new NotASocketError(
      `${path} is ${what}, not a socket: pass another path (only a leftover socket file is replaced)`,
    );
  }
  Deno.removeSync(path);
}

/** Removes the socket file at `path` if it is still one; never throws. */
export function removeSocketQuietly(path: string): void {
  try {
    if (Deno.lstatSync(path).isSocket) Deno.removeSync(path);
  } catch {
    // Already gone or not ours to remove: nothing to clean up.
  }
}
