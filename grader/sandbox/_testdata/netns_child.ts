/**
 * Run by netns_test.ts inside a namespace it made: sets up `lo` with the article's addresses,
 * checks where connections originate from, that programs can still be contained in a nested
 * PID namespace, and prints what it saw as one JSON line.
 *
 * @module
 */

import net from "node:net";
import { setupLoopback } from "../netns.ts";
import { listeningPorts } from "../ports.ts";
import { containment, runProgram, startProgram } from "../process.ts";

const SERVER = "192.168.100.168";

await setupLoopback({ server: SERVER, client: "192.168.100.2", stranger: "192.168.100.3" });

/** Accepts one connection on `listener` and returns the peer address it came from. */
async function peerOf(listener: Deno.TcpListener, connect: () => Promise<void>): Promise<string> {
  const [conn] = await Promise.all([listener.accept(), connect()]);
  const peer = conn.remoteAddr.hostname;
  conn.close();
  return peer;
}

using listener = Deno.listen({ hostname: SERVER, port: 6666 });
const unbound = await peerOf(listener, async () => {
  const conn = await Deno.connect({ hostname: SERVER, port: 6666 });
  conn.close();
});
const stranger = await peerOf(listener, () =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: SERVER, port: 6666, localAddress: "192.168.100.3" });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  }));
const listening = await listeningPorts({ pids: [Deno.pid] });

using local = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const loopback = await peerOf(local, async () => {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: local.addr.port });
  conn.close();
});

const echo = await runProgram({ argv: ["sh", "-c", "echo $$"], cwd: "/", timeoutMs: 10_000 });
const sleeper = startProgram({ argv: ["sh", "-c", "echo up; exec sleep 1000"], cwd: "/" });
await sleeper.waitForStdoutLine((line) => line === "up", 10_000);
const killed = await sleeper.kill();

console.log(JSON.stringify({
  unbound,
  stranger,
  loopback,
  listening,
  containment: containment().kind,
  pidsCgroup: containment().pidsCgroup,
  nestedPid: echo.stdoutLines[0]?.text,
  killedSignal: killed.signal,
  treeAfterKill: sleeper.treePids(),
}));
