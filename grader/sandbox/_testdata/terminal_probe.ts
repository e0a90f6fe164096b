/**
 * Run under `script` (a pseudo-terminal as controlling terminal): starts, in each containment, a
 * program that reports its capabilities, `no_new_privs` and controlling terminal and tries to
 * reach the terminal (open `/dev/tty`, `TIOCSTI` on its descriptors); prints one JSON line with
 * this process's own terminal and what each program saw.
 */

import { type Containment, runProgram } from "../process.ts";

const PROBE = `
import fcntl, json, os, termios
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return line.split()[1]
seen = {"caps": [status(k) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")], "capBnd": status("CapBnd"), "noNewPrivs": status("NoNewPrivs"),
        "ttyNr": int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[4]), "uid": os.getuid()}
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    os.write(fd, b"\\x1b]0;pwned\\x07")
    fcntl.ioctl(fd, termios.TIOCSTI, b"x")
    seen["tty"] = "opened and injected"
except OSError as e:
    seen["tty"] = e.strerror
injected = []
for fd in (0, 1, 2):
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        injected.append(fd)
    except OSError:
        pass
seen["tiocsti"] = injected
print(json.dumps(seen))
`;

const ttyNr = Number(Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ")[4]);
const seen: Record<string, unknown> = {};
for (const kind of ["pid-namespace", "process-group"] as Containment[]) {
  const result = await runProgram({
    argv: ["python3", "-c", PROBE],
    cwd: "/",
    containment: kind,
    timeoutMs: 20_000,
  });
  const text = new TextDecoder().decode(result.stdout).trim();
  seen[kind] = text ? JSON.parse(text) : new TextDecoder().decode(result.stderr);
}
console.log(JSON.stringify({ ttyNr, seen }));
