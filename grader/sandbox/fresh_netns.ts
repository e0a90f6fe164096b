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
 * A new network namespace gets a TCP socket table of its own, of {@linkcode EHASH_ENTRIES} buckets
 * (`net.ipv4.tcp_child_ehash_entries`, Linux 6.1 and later; set in the namespace that makes it):
 * by default it would share the host's table, sized for the machine's memory (262,144 buckets on
 * a 24 GiB machine), which every read of `/proc/net/tcp` walks whole: 2.5 ms of kernel time per
 * read of `tcp` and `tcp6` against 0.1 ms with a small table, and the grader reads them often
 * (readiness, the drain and consume barriers). Older kernels ignore the setting.
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
/** Buckets of a new namespace's TCP socket table: a submission has at most a few hundred. */
export const EHASH_ENTRIES = 1024;
const CHILD_EHASH = "/proc/sys/net/ipv4/tcp_child_ehash_entries";

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
  try {
    Deno.writeTextFileSync(CHILD_EHASH, String(EHASH_ENTRIES));
  } catch {
    // A kernel before 6.1 (no such setting): the new namespace shares the host's table.
  }
  if (call(CLONE_NEWNET) !== 0) {
    return "unshare(CLONE_NEWNET) failed (the worker may not make network namespaces)";
  }
  return undefined;
}
