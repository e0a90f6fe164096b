/**
 * The private network namespace of EXERCISE.md §4: whether it can be made here, the command line
 * that runs a program inside a fresh user+net+pid(+mount) namespace, and setting up its `lo` with
 * the server, allowed-client and stranger addresses.
 *
 * @example
 * ```ts
 * import { namespaceCommand } from "./netns.ts";
 * const argv = namespaceCommand(["deno", "run", "-A", "worker_main.ts"]);
 * if (!argv.includes("--net") || argv.at(-1) !== "worker_main.ts") throw new Error(argv.join(" "));
 * ```
 * @module
 */

const NAMESPACE_FLAGS = [
  "--user",
  "--map-root-user",
  "--net",
  "--pid",
  "--fork",
  "--kill-child=SIGKILL",
  "--mount-proc",
];

/** Whether the private namespace can be made, and why not when it cannot. */
export type NamespaceSupport = { ok: true } | { ok: false; reason: string };

let support: Promise<NamespaceSupport> | undefined;

function readSysctl(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

/** Explains a failed `unshare` from the kernel settings that commonly cause it. */
function explainFailure(stderr: string): string {
  if (readSysctl("/proc/sys/kernel/unprivileged_userns_clone") === "0") {
    return "user namespaces are disabled (kernel.unprivileged_userns_clone=0).";
  }
  if (readSysctl("/proc/sys/user/max_user_namespaces") === "0") {
    return "user namespaces are disabled (user.max_user_namespaces=0).";
  }
  if (readSysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === "1") {
    return "AppArmor restricts user namespaces (kernel.apparmor_restrict_unprivileged_userns=1).";
  }
  const message = stderr.trim().split("\n").at(-1) ?? "";
  return `unshare could not make the namespaces (${message || "no message"}).`;
}

/**
 * Tries `unshare --user --map-root-user --net --pid --fork --mount-proc true` once (cached) and
 * says whether the private namespace is available; `reason` is a sentence for the report.
 */
export function namespaceSupport(): Promise<NamespaceSupport> {
  support ??= probe();
  return support;
}

async function probe(): Promise<NamespaceSupport> {
  const unshare = which("unshare");
  if (!unshare) return { ok: false, reason: "unshare is not installed (util-linux)." };
  if (!which("ip")) return { ok: false, reason: "ip is not installed (iproute2)." };
  try {
    const out = await new Deno.Command(unshare, {
      args: [...NAMESPACE_FLAGS, "--", "true"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      clearEnv: true,
      env: { PATH: SYSTEM_PATH },
    }).output();
    if (out.success) return { ok: true };
    return { ok: false, reason: explainFailure(new TextDecoder().decode(out.stderr)) };
  } catch (error) {
    return {
      ok: false,
      reason: `unshare could not be run (${error instanceof Error ? error.message : error}).`,
    };
  }
}

/**
 * The command line that runs `argv` as the only child of PID 1 in a fresh user, network, PID and
 * mount namespace (a private /proc). `--kill-child=SIGKILL`: when the `unshare` process ends,
 * the namespace's first process and with it every process inside ends too.
 */
export function namespaceCommand(argv: string[]): string[] {
  return [which("unshare") ?? "unshare", ...NAMESPACE_FLAGS, "--", ...argv];
}

/** The addresses `lo` carries in the namespace. */
export interface LoopbackAddresses {
  /** Where the server listens (e.g. 192.168.100.168). */
  server: string;
  /** The allowed client: connections to the server originate from it (e.g. 192.168.100.2). */
  client: string;
  /** A not-allowed address a probe can bind explicitly (e.g. 192.168.100.3). */
  stranger: string;
}

function isIPv6(address: string): boolean {
  return address.includes(":");
}

/** Addresses `lo` already has once it is up: 127.0.0.0/8 and ::1. */
function isBuiltinLoopback(address: string): boolean {
  return address === "::1" || /^127\./.test(address);
}

async function ip(args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(which("ip") ?? "ip", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) {
    throw new Error(
      `Could not set up the namespace's loopback interface: \`ip ${args.join(" ")}\` failed (${
        stderr || `exit ${out.code}`
      }). Is this running inside the namespace, as its root?`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** How long the kernel may take to add an IPv6 address's local route. */
const LOCAL_ROUTE_MS = 2_000;

/** Waits (polling every few ms, up to {@linkcode LOCAL_ROUTE_MS}) for the local route of `address`. */
async function untilLocalRoute(address: string): Promise<void> {
  const deadline = performance.now() + LOCAL_ROUTE_MS;
  while ((await ip(["-6", "route", "show", "table", "local", `${address}/128`])).trim() === "") {
    if (performance.now() > deadline) {
      throw new Error(
        `The kernel did not add the local route of ${address} within ${LOCAL_ROUTE_MS} ms of adding the address.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The `ip route get` answer line for `address` in batch output. */
function routeLine(output: string, address: string): string | undefined {
  return output.split("\n").find((line) =>
    line.startsWith(`local ${address} `) || line.startsWith(`${address} `)
  );
}

/**
 * Run INSIDE the namespace: brings `lo` up, adds the three addresses (/32 or /128) and replaces
 * the server address's local route so connections to it originate from the client address;
 * verifies both that and that 127.0.0.1 still works.
 *
 * @throws {Error} when a step fails or the routes do not come out as intended.
 */
export async function setupLoopback(addresses: LoopbackAddresses): Promise<void> {
  const { server, client, stranger } = addresses;
  let commands = ["link set lo up"];
  for (const address of new Set([server, client, stranger])) {
    if (isBuiltinLoopback(address)) continue;
    commands.push(`addr replace ${address}/${isIPv6(address) ? 128 : 32} dev lo`);
  }
  if (server !== client) {
    if (isIPv6(server) !== isIPv6(client)) {
      throw new TypeError(
        `The server address ${server} and the client address ${client} must be the same family.`,
      );
    }
    const route = `local ${server} dev lo table local proto kernel`;
    if (isIPv6(server)) {
      // IPv6 keeps the kernel's own local route beside a replacement: delete it, then add ours.
      // The kernel adds it only once the address's duplicate address detection has run, from a
      // work queue, so it may not be there yet when `ip addr` returns: wait for it first.
      await ip(["-batch", "-"], commands.join("\n") + "\n");
      await untilLocalRoute(server);
      commands = [`route del ${route}`, `route add ${route} src ${client}`];
    } else {
      commands.push(`route replace ${route} scope host src ${client}`);
    }
  }
  // As few `ip` runs as can be (each exec costs milliseconds); the two lookups come last.
  commands.push(`route get ${server}`, "route get 127.0.0.1");
  const output = await ip(["-batch", "-"], commands.join("\n") + "\n");
  const route = routeLine(output, server);
  const src = /\bsrc (\S+)/.exec(route ?? "")?.[1];
  if (src !== client) {
    throw new Error(
      `The namespace's route to ${server} should originate from ${client} but uses ${
        src ?? "no source address"
      } (ip route get ${server}: ${route ?? output.trim()}).`,
    );
  }
  const loopback = routeLine(output, "127.0.0.1");
  if (!loopback || !/\bdev lo\b/.test(loopback)) {
    throw new Error(`127.0.0.1 is not reachable on lo in the namespace (${output.trim()}).`);
  }
}
import { SYSTEM_PATH, which } from "./_which.ts";
