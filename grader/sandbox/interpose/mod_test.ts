/**
 * Tests for the socket interposer. Every program runs inside a network namespace the test makes
 * (`unshare -rn`, whose only interface is `lo`), so nothing can leave the machine whatever the
 * interposer does; inside it, `10.0.0.1` is put on `lo` with a listener, so that a connection the
 * interposer failed to refuse would really arrive (the control case shows it does).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Interposer,
  interposerEnv,
  prepareInterposer,
  readRefusals,
  uncoveredReason,
} from "./mod.ts";
import { which } from "../_which.ts";

for (
  const [tool, pkg] of [["cc", "gcc"], ["python3", "python3"], ["unshare", "util-linux"], [
    "ip",
    "iproute2",
  ]]
) {
  if (!which(tool!)) throw new Error(`These tests need ${tool}: install ${pkg}.`);
}

const MAPPING = {
  spec: {
    serverAddress: "192.168.100.168",
    clientAddress: "192.168.100.2",
    strangerAddress: "192.168.100.3",
    port: 6666,
  },
  lane: {
    serverAddress: "127.100.7.1",
    clientAddress: "127.100.7.2",
    strangerAddress: "127.100.7.3",
    port: 40666,
  },
};

/** A python3 script that prints one JSON line of what it saw. */
const PROBE = String.raw`
import json, os, socket, sys
out = {}
def attempt(name, fn):
    try:
        out[name] = fn()
    except OSError as e:
        out[name] = "errno %s" % e.errno
# the mapping (only with the interposer: without it these addresses are not on lo)
if os.environ.get("SOCKGRADE_NET_SERVER"):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", 6666)); srv.listen()
    out["listening"] = srv.getsockname()
    c = socket.socket(); c.connect(("192.168.100.168", 6666))
    out["client_local"] = c.getsockname()[0]
    out["client_peer"] = c.getpeername()
    conn, peer = srv.accept(); out["accepted_from"] = peer[0]
    v6 = socket.socket(socket.AF_INET6); v6.connect(("::ffff:192.168.100.168", 6666))
    out["v6_peer"] = v6.getpeername()[:2]
    conn6, peer6 = srv.accept(); out["v6_accepted_from"] = peer6[0]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("192.168.100.168", 6666))
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.sendto(b"ping", ("192.168.100.168", 6666))
    data, src = u.recvfrom(16); out["udp_from"] = src[0]; out["udp_data"] = data.decode()
    u.sendto(b"pong", src); out["udp_reply_from"] = v.recvfrom(16)[1]
attempt("remote_tcp", lambda: socket.create_connection(("10.0.0.1", 7000), timeout=2) and "connected")
attempt("remote_udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("10.0.0.1", 7000)))
attempt("remote_bind", lambda: socket.socket().bind(("10.0.0.1", 0)))
attempt("lookup", lambda: socket.getaddrinfo("sockgrade-test.example", 80) and "resolved")
attempt("localhost", lambda: socket.getaddrinfo("localhost", 80) and "resolved")
print(json.dumps(out))
`;

/**
 * Starts PROBE (with `env` added: the interposer's variables) from a driver that is not under
 * the interposer: the driver first listens on 10.0.0.1:7000, then counts the connections that
 * arrived there once the probe has ended (a connection the interposer let through would be one).
 */
const DRIVER = String.raw`
import json, os, select, socket, subprocess
witness = socket.socket(); witness.bind(("10.0.0.1", 7000)); witness.listen(); witness.setblocking(False)
env = dict(os.environ); env.update(json.loads(os.environ["PROBE_ENV"]))
out = json.loads(subprocess.run(["python3", "-c", os.environ["PROBE"]], env=env, check=True, capture_output=True, text=True).stdout)
n = 0
while select.select([witness], [], [], 0)[0]:
    witness.accept(); n += 1
out["witnessConnections"] = n
print(json.dumps(out))
`;

/** Runs PROBE inside a fresh network namespace (only `lo`, carrying 10.0.0.1 too). */
async function probe(env: Record<string, string>): Promise<Record<string, unknown>> {
  const out = await new Deno.Command("unshare", {
    args: [
      "-rn",
      "sh",
      "-c",
      'ip link set lo up && ip addr add 10.0.0.1/32 dev lo && exec python3 -c "$DRIVER"',
    ],
    env: { PROBE, DRIVER, PROBE_ENV: JSON.stringify(env) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `${text}\n${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text);
}

async function withInterposer(fn: (lib: Interposer & { ok: true }, dir: string) => Promise<void>) {
  const cache = await Deno.makeTempDir();
  const interposer = await prepareInterposer(cache);
  try {
    assert.ok(interposer.ok, interposer.ok ? "" : interposer.reason);
    await fn(interposer, cache);
  } finally {
    if (interposer.ok) await interposer.close();
    await Deno.remove(cache, { recursive: true });
  }
}

Deno.test("the interposer maps the spec's addresses to the lane and back, for TCP, IPv4-mapped IPv6 and UDP", async () => {
  await withInterposer(async (interposer, dir) => {
    const log = join(dir, "net.log");
    const seen = await probe(interposerEnv(interposer.library, MAPPING, log, "server"));
    assert.deepEqual(seen.listening, ["192.168.100.168", 6666]);
    assert.equal(seen.client_local, "192.168.100.2");
    assert.deepEqual(seen.client_peer, ["192.168.100.168", 6666]);
    assert.equal(seen.accepted_from, "192.168.100.2");
    assert.deepEqual(seen.v6_peer, ["::ffff:192.168.100.168", 6666]);
    assert.equal(seen.v6_accepted_from, "192.168.100.2");
    assert.equal(seen.udp_from, "192.168.100.2");
    assert.equal(seen.udp_data, "ping");
    assert.deepEqual(seen.udp_reply_from, ["192.168.100.168", 6666]);
    assert.equal(seen.localhost, "resolved");
  });
});

Deno.test("the interposer refuses other addresses before the kernel sees them, and logs them", async () => {
  await withInterposer(async (interposer, dir) => {
    const log = join(dir, "net.log");
    const seen = await probe(interposerEnv(interposer.library, MAPPING, log, "client"));
    assert.equal(seen.remote_tcp, "errno 101"); // ENETUNREACH
    assert.equal(seen.remote_udp, "errno 101");
    assert.equal(seen.remote_bind, "errno 99"); // EADDRNOTAVAIL
    assert.equal(seen.lookup, "errno -2"); // EAI_NONAME
    assert.equal(seen.witnessConnections, 0, "a connection reached 10.0.0.1");
    const { refusals } = await readRefusals(log);
    assert.deepEqual(refusals.map((r) => `${r.role} ${r.call} ${r.target}`), [
      "client connect 10.0.0.1:7000",
      "client sendto 10.0.0.1:7000",
      "client bind 10.0.0.1:0",
      "client lookup sockgrade-test.example",
    ]);
  });
});

Deno.test("without the interposer the same probe reaches 10.0.0.1 (the witness can see a leak)", async () => {
  const seen = await probe({});
  assert.equal(seen.remote_tcp, "connected");
  assert.equal(seen.witnessConnections, 1);
});

Deno.test("uncoveredReason() names statically linked programs and accepts dynamic ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = join(dir, "main.c");
    await Deno.writeTextFile(src, "int main(void) { return 0; }\n");
    const dynamic = await new Deno.Command("cc", { args: ["-o", join(dir, "dyn"), src] }).output();
    assert.ok(dynamic.success);
    assert.equal(await uncoveredReason(join(dir, "dyn")), undefined);
    const made = await new Deno.Command("cc", { args: ["-static", "-o", join(dir, "st"), src] })
      .output();
    if (!made.success) throw new Error("This test needs a static C library: install libc6-dev.");
    assert.match(await uncoveredReason(join(dir, "st")) ?? "", /st is statically linked/);
    assert.equal(await uncoveredReason(src), undefined); // not a program at all
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareInterposer() compiles once per source and reuses the cached library", async () => {
  const cache = await Deno.makeTempDir();
  try {
    const first = await prepareInterposer(cache);
    assert.ok(first.ok);
    const cached = [...Deno.readDirSync(cache)].map((e) => e.name);
    assert.equal(cached.length, 1);
    assert.match(cached[0]!, /^sockmap-[0-9a-f]{24}\.so$/);
    const before = Deno.statSync(join(cache, cached[0]!)).mtime?.getTime();
    const second = await prepareInterposer(cache);
    assert.ok(second.ok);
    assert.equal(Deno.statSync(join(cache, cached[0]!)).mtime?.getTime(), before);
    assert.notEqual(first.library, second.library); // each run has a copy of its own
    await first.close();
    await second.close();
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("the interposer maps IPv6 spec addresses to the lane's IPv4-mapped addresses and back", async () => {
  await withInterposer(async (interposer, dir) => {
    const v6 = {
      spec: { ...MAPPING.spec, serverAddress: "fd00::168", clientAddress: "fd00::2" },
      lane: MAPPING.lane,
    };
    const script = String.raw`
import json, socket
srv = socket.socket(socket.AF_INET6); srv.bind(("fd00::168", 6666)); srv.listen()
c = socket.socket(socket.AF_INET6); c.connect(("fd00::168", 6666))
conn, peer = srv.accept()
print(json.dumps({"listening": srv.getsockname()[:2], "local": c.getsockname()[0], "peer": peer[0]}))
`;
    const env = interposerEnv(interposer.library, v6, join(dir, "net.log"), "server");
    const out = await new Deno.Command("unshare", {
      args: [
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && exec env "$@"',
        "sh",
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        "python3",
        "-c",
        script,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
      listening: ["fd00::168", 6666],
      local: "fd00::2",
      peer: "fd00::2",
    });
  });
});

/** A C program that sends datagrams with sendmmsg and receives them with recvmmsg. */
const MMSG_C = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
int main(void) {
  int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(6666)};
  inet_pton(AF_INET, "192.168.100.168", &at.sin_addr);
  if (bind(rx, (struct sockaddr *)&at, sizeof at) != 0) { perror("bind"); return 1; }
  struct sockaddr_in far = {.sin_family = AF_INET, .sin_port = htons(7000)};
  inet_pton(AF_INET, "10.0.0.1", &far.sin_addr);
  struct iovec iov = {.iov_base = "x", .iov_len = 1};
  struct mmsghdr m[2];
  memset(m, 0, sizeof m);
  m[0].msg_hdr = (struct msghdr){.msg_name = &far, .msg_namelen = sizeof far, .msg_iov = &iov, .msg_iovlen = 1};
  int r = sendmmsg(tx, m, 1, 0);
  printf("far %d %d\n", r, r < 0 ? errno : 0);
  m[0].msg_hdr.msg_name = &at;
  r = sendmmsg(tx, m, 1, 0);
  printf("near %d\n", r);
  struct sockaddr_in from;
  char buf[8];
  struct iovec riov = {.iov_base = buf, .iov_len = sizeof buf};
  memset(m, 0, sizeof m);
  m[0].msg_hdr = (struct msghdr){.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov, .msg_iovlen = 1};
  r = recvmmsg(rx, m, 1, 0, NULL);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
  printf("got %d from %s\n", r, text);
  return 0;
}
`;

Deno.test("the interposer covers sendmmsg and recvmmsg", async () => {
  await withInterposer(async (interposer, dir) => {
    await Deno.writeTextFile(join(dir, "mmsg.c"), MMSG_C);
    const built = await new Deno.Command("cc", {
      args: ["-o", join(dir, "mmsg"), join(dir, "mmsg.c")],
    }).output();
    assert.ok(built.success, new TextDecoder().decode(built.stderr));
    const env = interposerEnv(interposer.library, MAPPING, join(dir, "net.log"), "client");
    const out = await new Deno.Command("unshare", {
      args: [
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && exec env "$@"',
        "sh",
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        join(dir, "mmsg"),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    assert.equal(
      new TextDecoder().decode(out.stdout),
      "far -1 101\nnear 1\ngot 1 from 192.168.100.2\n",
    );
  });
});
