/**
 * The reference server over datagram transports (`udp`, `unix-dgram`): one datagram is one
 * message. Over `udp` one trailing `\n` is tolerated (so `Client Query\n` sent with `nc -u`
 * counts); over `unix-dgram` the datagram must be exactly the trigger. Datagrams from peers that
 * are not allowed are logged and ignored; one longer than the limit is discarded.
 *
 * @module
 */

import { handleMessage, rejection, type Running, type Serving } from "./serving.ts";
import { peerOf } from "./peers.ts";

const NEWLINE = 10;

/** Serves every datagram `socket` receives until closed. */
export function serveDatagrams(
  socket: Deno.DatagramConn,
  serving: Serving,
  transport: "udp" | "unix-dgram",
): Running {
  const { log, maxLineBytes } = serving;
  let closing = false;
  // One byte more than the limit, so a longer datagram shows as filling the buffer.
  const buffer = new Uint8Array(maxLineBytes + 1);

  const receiveLoop = async () => {
    while (!closing) {
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await socket.receive(buffer);
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) break;
        log(`receiving a datagram failed (${(error as Error).message}); going on`);
        continue;
      }
      const [data, addr] = received;
      const peer = peerOf(addr);
      if (!serving.allow.has(peer.key)) {
        log(`${peer.shown}: ignored a datagram (${rejection(peer, transport)})`);
        continue;
      }
      if (data.length > maxLineBytes) {
        log(
          `${peer.shown}: discarded a datagram of more than ${maxLineBytes} bytes (the longest kept)`,
        );
        continue;
      }
      const message = transport === "udp" && data.at(-1) === NEWLINE ? data.subarray(0, -1) : data;
      handleMessage(serving, peer, message, "datagram");
    }
  };
  const receiving = receiveLoop();

  return {
    async close() {
      closing = true;
      socket.close();
      await receiving;
    },
  };
}
