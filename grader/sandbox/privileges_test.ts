import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { requireBubblewrap } from "../../tests/_helpers/containment.ts";
import { which } from "./_which.ts";

const PROBE = fileURLToPath(new URL("./_testdata/terminal_probe.ts", import.meta.url));

Deno.test({
  name: "programs hold no capabilities, run with no_new_privs and cannot reach the terminal",
  sanitizeOps: true,
  sanitizeResources: true,
  async fn() {
    requireBubblewrap();
    const script = which("script");
    if (!script) throw new Error("this test needs script (a terminal): apt-get install bsdutils");
    // `script` gives the probe a pseudo-terminal as its controlling terminal, as a teacher's
    // shell would; its output (the terminal's) is read back from the typescript file.
    const log = await Deno.makeTempFile({ prefix: "sockgrade-tty-" });
    try {
      const command = [Deno.execPath(), "run", "-A", PROBE].map((a) => `'${a}'`).join(" ");
      const out = await new Deno.Command(script, {
        args: ["-qefc", command, log],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
      const line = text.split(/\r?\n/).find((l) => l.startsWith("{"));
      assert.ok(line, text);
      const { ttyNr, seen } = JSON.parse(line);
      assert.notEqual(ttyNr, 0, "the probe itself has a controlling terminal (the test can fail)");
      assert.ok(!text.includes("pwned"), "nothing reached the terminal");
      for (const kind of ["pid-namespace", "process-group"]) {
        const s = seen[kind];
        assert.equal(typeof s, "object", `${kind}: ${s}`);
        assert.equal(s.ttyNr, 0, `${kind}: no controlling terminal`);
        assert.equal(s.tty, "No such device or address", `${kind}: /dev/tty cannot be opened`);
        assert.deepEqual(s.tiocsti, [], `${kind}: TIOCSTI is refused on every descriptor`);
        assert.equal(s.noNewPrivs, "1", `${kind}: no_new_privs`);
        for (const set of s.caps) assert.match(set, /^0+$/, `${kind}: no capabilities`);
      }
      // Outside bubblewrap, setpriv also empties the bounding set (bubblewrap leaves it; with
      // no_new_privs and no permitted capabilities nothing can be regained from it).
      assert.match(seen["process-group"].capBnd, /^0+$/, "an empty bounding set");
      assert.ok(seen["process-group"].uid >= 61000, "as root without namespaces: a dedicated user");
    } finally {
      await Deno.remove(log);
    }
  },
});
