/**
 * The `unix-dgram` transport: readiness is a bound Unix datagram socket at the server's path; a
 * probe binds its own path (the server's filter compares the sender's path), or stays unbound
 * when no path is given, and sends one datagram per message, through libc (Deno always binds,
 * and the probe asks the kernel whether the server has read what it sent); the capture binds the
 * server's path and keeps each datagram with the sender's path (`(unbound)` when the client
 * bound none), with Deno's `unixpacket` datagram sockets (`--unstable-net`, set in deno.json).
 *
 * @module
 */

import { openSocketFile, UNBOUND_CLIENT } from "../capture_server.ts";
import { ProbeConnectError } from "../probe_client.ts";
import type { OpenOptions, ProbeSession, ProbeTransport } from "../transport.ts";
import { DatagramCapture, DatagramSession, waitReadyFor } from "./_common.ts";
import { removeSocketFile, UnixDatagramSocket, UnixSocketError } from "./_unix_socket.ts";
import { assertOwnFolder } from "../socket_folder_guard.ts";

/** The receive buffer: more than a Unix datagram socket takes with Linux's default buffers. */
const MAX_UNIX_DATAGRAM = 512 * 1024;

/** Opens a probe session (bound to `opts.from`, or unbound). */
function openSession(opts: OpenOptions): ProbeSession {
  const to = opts.to;
  if (!("path" in to)) throw new TypeError("A Unix-domain probe needs a path.");
  const label = opts.connection ?? "conn";
  const path = opts.from && "path" in opts.from ? opts.from.path : undefined;
  let socket: UnixDatagramSocket;
  try {
    socket = UnixDatagramSocket.open(path);
  } catch (error) {
    if (!(error instanceof UnixSocketError)) throw error;
    opts.recorder.add({ actor: "probe", kind: "note", connection: label, data: error.message });
    throw new ProbeConnectError(error.message, "bind", error.code, error);
  }
  return new DatagramSession(
    {
      send: (bytes) => socket.send(bytes, to.path, opts.timeoutMs),
      unread: () => socket.unread(),
      close: () => socket.close(),
    },
    { from: path ?? UNBOUND_CLIENT, to: to.path },
    opts.recorder,
    label,
  );
}

/** The `unix-dgram` transport. */
export const unixDgram: ProbeTransport = {
  name: "unix-dgram",
  datagram: true,
  waitReady: (opts) => waitReadyFor("unix-dgram", opts),
  open: (opts) => Promise.resolve(opts).then(openSession),
  capture(opts) {
    const at = opts.at;
    if (!("path" in at)) throw new TypeError("A Unix-domain capture needs a path.");
    assertOwnFolder(at.path);
    const conn = Deno.listenDatagram({ transport: "unixpacket", path: at.path });
    try {
      openSocketFile(at.path);
    } catch (error) {
      conn.close();
      throw error;
    }
    let loop: Promise<void> = Promise.resolve();
    const capture = new DatagramCapture(
      at,
      async () => {
        conn.close();
        await loop;
        await removeSocketFile(at.path);
      },
      opts.limits,
      {
        // Deno refuses a send on a socket whose receive is pending: a socket of its own, beside.
        from: `${at.path}.sync`,
        send: async (bytes) => {
          const path = `${at.path}.sync`;
          assertOwnFolder(path);
          const self = Deno.listenDatagram({ transport: "unixpacket", path });
          try {
            await self.send(bytes, { transport: "unixpacket", path: at.path });
          } finally {
            self.close();
            await removeSocketFile(path);
          }
        },
      },
    );
    // Deno's default receive buffer cuts a datagram at 65,507 bytes; a Unix datagram can be larger.
    const buffer = new Uint8Array(MAX_UNIX_DATAGRAM);
    loop = (async () => {
      for (;;) {
        let received: [Uint8Array, Deno.Addr];
        try {
          received = await conn.receive(buffer);
        } catch {
          return;
        }
        const [bytes, from] = received;
        capture.add(("path" in from ? from.path : "") || UNBOUND_CLIENT, bytes);
      }
    })();
    return Promise.resolve(capture);
  },
};
