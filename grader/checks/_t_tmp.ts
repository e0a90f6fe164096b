import { runClientChecks } from "./client_checks.ts";
import { runPairCheck } from "./pair_checks.ts";
import { DEFAULT_SPEC } from "../spec.ts";
const T = new URL("./_testdata/", import.meta.url).pathname;
const net = () => { const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); const port = l.addr.port; l.close(); return { mode: "none" as const, serverAddress: "127.0.0.1", clientAddress: "127.0.0.1", strangerAddress: "127.0.0.2", port }; };
const plan = (s: string, m: string) => ({ argv: ["/usr/bin/python3", T + s, m], cwd: T, env: {}, lineBuffering: "env" as const, lineBufferingEnv: { PYTHONUNBUFFERED: "1" } });
const spec = structuredClone(DEFAULT_SPEC) as any; spec.timeouts.clientMs = 800;
for (const mode of Deno.args) {
  const out = await runClientChecks({ spec, net: net(), client: plan("client_variants.py", mode) });
  for (const o of out) console.log(JSON.stringify(o, null, 1).slice(0, 3000));
}
if (Deno.args.length === 0) {
  const o = await runPairCheck({ spec, net: net(), server: plan("pair_server.py", "iterative"), client: plan("client_variants.py", "correct") });
  console.log(JSON.stringify(o, null, 1));
}
