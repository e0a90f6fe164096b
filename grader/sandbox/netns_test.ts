import assert from "node:assert/strict";
import { namespaceCommand, namespaceSupport } from "./netns.ts";
import { containment } from "./process.ts";

test("namespaceSupport() can make the private namespace here", async () => {
  const support = await namespaceSupport();
  assert.deepEqual(support, { ok: true });
  assert.equal(await namespaceSupport(), support, "the answer is cached");
});

test("namespaceCommand() wraps argv in user, net, pid and mount namespaces", () => {
  const argv = namespaceCommand(["prog", "--flag"]);
  assert.match(argv[0]!, /unshare$/);
  for (const flag of ["--user", "--map-root-user", "--net", "--pid", "--fork", "--mount-proc"]) {
    assert.ok(argv.includes(flag), flag);
  }
  assert.ok(argv.includes("--kill-child=SIGKILL"));
  assert.deepEqual(argv.slice(-3), ["--", "prog", "--flag"]);
  return Promise.resolve();
});

test("setupLoopback() makes connections to the server come from the client address", async () => {
  assert.deepEqual(await namespaceSupport(), { ok: true }, "the namespace must be available");
  const child = new URL("./_testdata/netns_child.ts", import.meta.url).pathname;
  const [command, ...args] = namespaceCommand([Deno.execPath(), "run", "-A", child]);
  const out = await new Deno.Command(command!, { args, stdin: "null" }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const seen = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(seen.unbound, "192.168.100.2", "an unbound connection comes from the client");
  assert.equal(seen.stranger, "192.168.100.3", "an explicit bind to the stranger works");
  assert.equal(seen.loopback, "127.0.0.1", "127.0.0.1 still works");
  assert.deepEqual(seen.listening, [{ address: "192.168.100.168", port: 6666 }]);
  assert.equal(seen.containment, "pid-namespace", "programs get a nested PID namespace");
  assert.equal(seen.pidsCgroup, containment().pidsCgroup, "the pids cgroup works inside too");
  assert.equal(seen.nestedPid, "2", "the program is the child of the namespace's PID 1");
  assert.equal(seen.killedSignal, "SIGTERM");
  assert.deepEqual(seen.treeAfterKill, []);
});

test("setupLoopback() explains a failed step", async () => {
  // Inside a namespace of its own, so the host's lo is never touched.
  const netns = JSON.stringify(new URL("./netns.ts", import.meta.url).href);
  const [command, ...args] = namespaceCommand([
    Deno.execPath(),
    "eval",
    `import { setupLoopback } from ${netns};
     await setupLoopback({ server: "192.168.100.300", client: "192.168.100.2", stranger: "192.168.100.3" })
       .then(() => console.log("no error"), (e) => console.log(e.message));`,
  ]);
  const out = await new Deno.Command(command!, { args, stdin: "null" }).output();
  assert.match(
    new TextDecoder().decode(out.stdout),
    /^Could not set up the namespace's loopback interface: `ip -batch -` failed \(.*192\.168\.100\.300/,
  );
});

test("setupLoopback() waits for the kernel's IPv6 local route instead of racing it", async () => {
  // The kernel adds an IPv6 address's local route from a work queue after `ip addr` returns;
  // deleting it at once failed ("No such process") in about one set-up of six. 40 fresh
  // namespaces, each set up for IPv6, all in a namespace of their own.
  const here = (name: string) => JSON.stringify(new URL(name, import.meta.url).href);
  const [command, ...args] = namespaceCommand([
    Deno.execPath(),
    "eval",
    `import { setupLoopback } from ${here("./netns.ts")};
     import { enterFreshNetwork } from ${here("./fresh_netns.ts")};
     let failed = 0;
     for (let i = 0; i < 40; i++) {
       const why = enterFreshNetwork();
       if (why) throw new Error(why);
       await setupLoopback({ server: "fd00::168", client: "fd00::2", stranger: "fd00::3" })
         .catch((e) => { failed++; console.error(e.message); });
     }
     console.log(failed);`,
  ]);
  const out = await new Deno.Command(command!, { args, stdin: "null" }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "0", stderr);
});

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true, fn });
}
