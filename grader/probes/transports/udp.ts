/**
 * The `udp` transport: readiness is a bound, unconnected UDP socket on the server's port; a probe
 * is a `node:dgram` socket bound to the chosen source address (the server's filter compares the
 * datagram's source address), one datagram per message; the capture binds the server's address
 * and keeps each datagram with its source. IPv6 by the addresses. Whether the server's program
 * has read what a probe sent is told by the receive queues on the server's port
 * (`/proc/net/udp{,6}`). `node:dgram` rather than
 * `Deno.listenDatagram`, which needs `--unstable-net` for UDP.
 *
 * @module
 */

import dgram from "node:dgram";
import { isIP } from "node:net";
import { formatAddress, ProbeConnectError } from "../probe_client.ts";
import { readInetSockets } from "../../sandbox/proc_net.ts";
import type { ProbeTransport } from "../transport.ts";
import { DatagramCapture, DatagramSession, waitReadyFor } from "./_common.ts";

function socketFor(address: string): dgram.Socket {
  const socket = dgram.createSocket(isIP(address) === 6 ? "udp6" : "udp4");
  // A send's error is reported by its callback; one without a callback must not crash the grader.
  socket.on("error", () => {});
  return socket;
}

function bind(socket: dgram.Socket, address: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ port, ...(address ? { address } : {}) }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/**
 * What the sockets bound on `port` hold unread (`/proc/net/udp{,6}`: a datagram leaves the
 * receive queue when the server's program reads it); undefined when no such socket is listed.
 */
async function unreadOnPort(port: number): Promise<number | undefined> {
  const rows = (await readInetSockets(["udp", "udp6"]))?.filter((r) => r.localPort === port);
  if (!rows || rows.length === 0) return undefined;
  return rows.reduce((sum, r) => sum + r.rxQueue, 0);
}

const closeSocket = (socket: dgram.Socket) =>
  new Promise<void>((resolve) => socket.close(() => resolve()));

/** The `udp` transport. */
export const udp: ProbeTransport = {
  name: "udp",
  datagram: true,
  waitReady: (opts) => waitReadyFor("udp", opts),
  async open(opts) {
    const to = opts.to;
    if ("path" in to) throw new TypeError("A UDP probe needs an address and a port.");
    const label = opts.connection ?? "conn";
    const source = opts.from && "address" in opts.from ? opts.from.address : undefined;
    const socket = socketFor(to.address);
    try {
      await bind(socket, source, 0);
    } catch (error) {
      await closeSocket(socket);
      const code = (error as NodeJS.ErrnoException).code;
      const message = `could not bind the local address ${source} (${code})`;
      opts.recorder.add({ actor: "probe", kind: "note", connection: label, data: message });
      throw new ProbeConnectError(message, "bind", code, error);
    }
    const local = socket.address();
    return new DatagramSession(
      {
        send: (bytes) =>
          new Promise((resolve, reject) =>
            socket.send(bytes, to.port, to.address, (error) => error ? reject(error) : resolve())
          ),
        unread: () => unreadOnPort(to.port),
        close: () => closeSocket(socket),
      },
      { from: formatAddress(local.address, local.port), to: formatAddress(to.address, to.port) },
      opts.recorder,
      label,
    );
  },
  async capture(opts) {
    const at = opts.at;
    if ("path" in at) throw new TypeError("A UDP capture needs an address and a port.");
    const socket = socketFor(at.address);
    try {
      await bind(socket, at.address, at.port);
    } catch (error) {
      await closeSocket(socket);
      throw error;
    }
    const bound = socket.address();
    const capture = new DatagramCapture(
      { address: bound.address, port: bound.port },
      () => closeSocket(socket),
      opts.limits,
      {
        from: formatAddress(bound.address, bound.port),
        send: (bytes) =>
          new Promise((resolve, reject) =>
            socket.send(bytes, bound.port, bound.address, (e) => e ? reject(e) : resolve())
          ),
      },
    );
    socket.on(
      "message",
      (bytes, peer) => capture.add(formatAddress(peer.address, peer.port), bytes),
    );
    return capture;
  },
};
