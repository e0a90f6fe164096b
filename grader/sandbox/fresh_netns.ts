/**
 * A fresh network namespace for the next submission, without a new worker process: the worker
 * calls `unshare(CLONE_NEWNET)` (through Deno's FFI on the C library) on its main thread, which
 * then belongs to a new, empty network namespace (only `lo`, down) until the next call.
 *
 * Why the main thread is enough: Deno runs JavaScript and the socket and process operations it
 * starts (`Deno.listen`, `Deno.connect`, `node:net`, `Deno.Command`) on its main thread, so every
 * socket the worker opens and every program it starts afterwards lives in the new namespace;
 * `/proc/net/*` follows the thread group leader, which is the main thread. Other threads of the
 * worker (V8's, the file-system pool's) stay in the namespace the worker started in, which
 * `unshare --net` made private too: nothing ever reaches the host's network, whichever thread
 * opens a socket.
 *
 * The namespace a submission used is left behind with whatever it still holds (a socket in
 * TIME_WAIT on the service port, say) and cannot touch the next submission's; it goes away with
 * its last socket. Nothing of it outlives the worker, the first process of its PID namespace.
 *
 * Works where the C library is `libc.so.6` (glibc) and the worker may make namespaces (root in
 * its own user namespace); elsewhere {@linkcode enterFreshNetwork} says why not, and the caller
 * starts a new worker per submission instead.
 *
 * @module
 */

/** `CLONE_NEWNET` from `<sched.h>`. */
const CLONE_NEWNET = 0x40000000;

let unshare: ((flags: number) => number) | undefined;
let unavailable: string | undefined;

function load(): ((flags: number) => number) | undefined {
  if (unshare || unavailable) return unshare;
  try {
    const libc = Deno.dlopen("libc.so.6", { unshare: { parameters: ["i32"], result: "i32" } });
    unshare = (flags) => libc.symbols.unshare(flags);
  } catch (error) {
    unavailable = `the C library cannot be loaded through FFI (${(error as Error).message})`;
  }
  return unshare;
}

/**
 * Moves this process's main thread into a new, empty network namespace; returns undefined on
 * success, else why it could not (then the namespace is unchanged).
 */
export function enterFreshNetwork(): string | undefined {
  const call = load();
  if (!call) return unavailable;
  if (call(CLONE_NEWNET) !== 0) {
    return "unshare(CLONE_NEWNET) failed (the worker may not make network namespaces)";
  }
  return undefined;
}
