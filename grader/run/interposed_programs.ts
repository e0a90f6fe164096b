/**
 * A submission's programs under the socket interposer (`sandbox/interpose/`), in `none` mode:
 * {@linkcode programsUnder} adds the interposer to each built program's environment (its spec
 * addresses, the lane's, a log file in the submission's workspace) and says which program it
 * cannot cover (statically linked, Go); {@linkcode noteRefusals} names, in the checks of a group,
 * the addresses the programs tried to reach outside the machine while the group ran. Inside the
 * private namespace, or without the interposer, programs are left as they are.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { CheckOutcome, ProgramPlan } from "../checks/types.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import { interposerEnv, readRefusals, uncoveredReason } from "../sandbox/interpose/mod.ts";
import type { BuildOutcome } from "../submission/build_outcome.ts";

/** The programs as the checks run them, and what the interposer cannot cover. */
export interface ProgramsUnder {
  /** The build the plans come from. */
  built: BuildOutcome;
  /** The server's plan (with the interposer's environment when it is used). */
  server?: ProgramPlan;
  /** The client's plan, likewise. */
  client?: ProgramPlan;
  /** Why the interposer cannot cover the server, when it cannot. */
  serverUncovered?: string;
  /** Why it cannot cover the client, when it cannot. */
  clientUncovered?: string;
  /** The interposer's log, when it is used. */
  logFile?: string;
  /** How much of the log has been attributed to checks already. */
  logRead: number;
  /** Everything refused so far, as `role call target` (for the submission's notes). */
  refused?: Set<string>;
}

/** The interposer's log, in the submission's workspace (which programs may write). */
const LOG_NAME = ".sockgrade-net.log";

/** The file `argv[0]` runs: found on the plan's PATH, or relative to its working folder. */
function executableOf(plan: ProgramPlan): string | undefined {
  const first = plan.argv[0];
  if (!first) return undefined;
  if (first.includes("/")) return isAbsolute(first) ? first : join(plan.cwd, first);
  for (const dir of (plan.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const path = join(isAbsolute(dir) ? dir : join(plan.cwd, dir), first);
    try {
      if (Deno.statSync(path).isFile) return Deno.realPathSync(path);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Why the interposer cannot cover `plan`'s program (its interpreter, for a `#!` script). */
async function planUncovered(plan: ProgramPlan): Promise<string | undefined> {
  const path = executableOf(plan);
  if (!path) return undefined;
  let first = "";
  try {
    using file = await Deno.open(path, { read: true });
    const buf = new Uint8Array(256);
    const n = await file.read(buf) ?? 0;
    first = new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0]!;
  } catch {
    return undefined;
  }
  if (first.startsWith("#!")) {
    const words = first.slice(2).trim().split(/\s+/);
    const interpreter = words[0]?.endsWith("/env") ? words[1] : words[0];
    return interpreter
      ? await planUncovered({ ...plan, argv: [interpreter], cwd: plan.cwd })
      : undefined;
  }
  return await uncoveredReason(path);
}

/**
 * The programs of a build as the checks must run them under `net`: with the interposer's
 * environment in `none` mode when `net.interposer` is set, unchanged otherwise.
 */
export async function programsUnder(
  net: NetPlan,
  workspaceDir: string,
  built: BuildOutcome,
): Promise<ProgramsUnder> {
  const under: ProgramsUnder = {
    built,
    ...(built.server.plan ? { server: built.server.plan } : {}),
    ...(built.client.plan ? { client: built.client.plan } : {}),
    logRead: 0,
  };
  const interposer = net.interposer;
  if (net.mode !== "none" || !interposer) return under;
  const logFile = join(workspaceDir, LOG_NAME);
  under.logFile = logFile;
  const mapping = {
    spec: interposer.spec,
    lane: {
      serverAddress: net.serverAddress,
      clientAddress: net.clientAddress,
      strangerAddress: net.strangerAddress,
      port: net.port,
    },
  };
  for (const role of ["server", "client"] as const) {
    const plan = under[role];
    if (!plan) continue;
    const why = await planUncovered(plan);
    if (why) {
      under[role === "server" ? "serverUncovered" : "clientUncovered"] = why;
      continue;
    }
    const env = interposerEnv(interposer.library, mapping, logFile, role);
    if (plan.env.LD_PRELOAD) env.LD_PRELOAD = `${env.LD_PRELOAD}:${plan.env.LD_PRELOAD}`;
    under[role] = { ...plan, env: { ...plan.env, ...env } };
  }
  return under;
}

/**
 * The submission's note on everything the interposer refused (shown to staff even when every
 * check passed), or `undefined` when nothing was.
 */
export function refusalNote(under: ProgramsUnder): string | undefined {
  const byHost = new Map<string, number>();
  for (const key of under.refused ?? []) {
    const host = key.replace(/:\d+$/, "");
    byHost.set(host, (byHost.get(host) ?? 0) + 1);
  }
  if (byHost.size === 0) return undefined;
  const all = [...byHost].map(([host, n]) => n > 1 ? `${host} (${n} ports)` : host);
  const more = all.length > 10 ? ` and ${all.length - 10} more` : "";
  return `off-machine addresses the programs tried, refused by sockgrade's socket interposer: ${
    all.slice(0, 10).join(", ")
  }${more}`;
}

/** The phrase for one refused call. */
function described(call: string, target: string): string {
  return call === "lookup"
    ? `look up the name ${target}`
    : call === "bind"
    ? `bind to ${target}`
    : `reach ${target}`;
}

/** A regular expression's text for `literal`. */
function escaped(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Outcomes as the private namespace would word them: the lane's addresses and port, wherever
 * messages, hints and evidence name them, become the spec's (`127.100.1.2:40112` becomes
 * `192.168.100.2:40112`, the lane's port the spec's), so what a student reads does not depend on
 * where sockgrade ran. Unchanged inside the namespace or without the interposer.
 */
export function inSpecTerms(net: NetPlan, outcomes: CheckOutcome[]): CheckOutcome[] {
  const spec = net.interposer?.spec;
  if (net.mode !== "none" || !spec) return outcomes;
  const pairs: [string, string][] = [
    [net.serverAddress, spec.serverAddress],
    [net.clientAddress, spec.clientAddress],
    [net.strangerAddress, spec.strangerAddress],
  ];
  const portOf = (port: string) => port === String(net.port) ? String(spec.port) : port;
  const rewrite = (text: string): string => {
    let out = text;
    for (const [lane, shown] of pairs) {
      const pattern = new RegExp(
        `(?<![\\w.:])(?:::ffff:)?${escaped(lane)}(?::(\\d+))?(?![\\d.])`,
        "gi",
      );
      out = out.replace(
        pattern,
        (_m, port?: string) =>
          port === undefined
            ? shown
            : shown.includes(":")
            ? `[${shown}]:${portOf(port)}`
            : `${shown}:${portOf(port)}`,
      );
    }
    return out.replace(new RegExp(`\\bport ${net.port}\\b`, "g"), `port ${spec.port}`);
  };
  const walk = (value: unknown): unknown =>
    typeof value === "string"
      ? rewrite(value)
      : Array.isArray(value)
      ? value.map(walk)
      : value && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
      : value;
  return outcomes.map((o) => walk(o) as CheckOutcome);
}

/**
 * Adds to the outcomes that did not pass what the interposer refused since the last call (which
 * address each program tried to reach), and records it in their evidence as `refused`.
 */
export async function noteRefusals(
  under: ProgramsUnder,
  outcomes: CheckOutcome[],
): Promise<CheckOutcome[]> {
  if (!under.logFile) return outcomes;
  const { refusals, end } = await readRefusals(under.logFile, under.logRead);
  under.logRead = end;
  if (refusals.length === 0) return outcomes;
  const seen = new Map<string, { role: string; call: string; target: string }>();
  for (const r of refusals) seen.set(`${r.role} ${r.call} ${r.target}`, r);
  under.refused ??= new Set();
  for (const key of seen.keys()) under.refused.add(key);
  const distinct = [...seen.values()].slice(0, 5);
  const said = distinct.map((r) =>
    `your ${r.role === "server" || r.role === "client" ? r.role : "program"} tried to ${
      described(r.call, r.target)
    }`
  ).join("; ");
  const note =
    ` (${said}: only this machine and the spec's addresses can be reached here, so sockgrade refused it with ENETUNREACH, as the private network namespace would)`;
  return outcomes.map((o) =>
    o.status === "pass" ? o : {
      ...o,
      message: `${o.message}${note}`,
      evidence: { ...o.evidence, refused: distinct.map((r) => `${r.role} ${r.call} ${r.target}`) },
    }
  );
}
