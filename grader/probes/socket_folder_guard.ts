/**
 * The socket folder's guard. A Unix-domain run's sockets live in a folder inside the submission's
 * copy (`grader/run/socket_folder.ts`), which the student's programs may write: one could replace
 * the folder with a link to elsewhere, so that a socket the grader binds, or a file it removes,
 * lands outside the copy. Before every such operation the grader asserts that the folder is still
 * a real directory at its canonical path ({@linkcode assertOwnFolder}); a folder found moved is
 * remembered, so the worker fails the submission's run checks instead of grading what the move
 * disturbed ({@linkcode socketFolderMoved}).
 *
 * @example
 * ```ts
 * import { assertOwnFolder, socketFolderMoved } from "./socket_folder_guard.ts";
 * const dir = Deno.realPathSync(Deno.makeTempDirSync());
 * assertOwnFolder(`${dir}/server.sock`);
 * if (socketFolderMoved(dir)) throw new Error("a real folder is not moved");
 * Deno.removeSync(dir);
 * ```
 * @module
 */

import { dirname } from "node:path";

/** Thrown when the folder of a socket path is no longer the grader's own directory. */
export class SocketFolderMoved extends Error {
  /** The folder. */
  readonly folder: string;
  /** Makes the error for `folder`. */
  constructor(folder: string) {
    super(
      `the socket folder ${folder} was moved or replaced by a link, so sockgrade does not use it`,
    );
    this.name = "SocketFolderMoved";
    this.folder = folder;
  }
}

const moved = new Set<string>();

/**
 * Throws {@linkcode SocketFolderMoved} unless the folder of `path` is a directory whose canonical
 * path is the folder itself (no link on the way); the folder is then remembered as moved.
 */
export function assertOwnFolder(path: string): void {
  const folder = dirname(path);
  let own = false;
  try {
    own = Deno.lstatSync(folder).isDirectory && Deno.realPathSync(folder) === folder;
  } catch {
    own = false;
  }
  if (own) return;
  moved.add(folder);
  throw new SocketFolderMoved(folder);
}

/**
 * Whether `folder` was found moved by a guard in this process, or is not a real directory at its
 * canonical path now (a folder removed whole counts as moved too).
 */
export function socketFolderMoved(folder: string): boolean {
  if (moved.has(folder)) return true;
  try {
    return !(Deno.lstatSync(folder).isDirectory && Deno.realPathSync(folder) === folder);
  } catch {
    return true;
  }
}
