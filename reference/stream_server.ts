/**
 * The reference server over stream transports (`tcp`, `unix-stream`): accepts connections,
 * closes those from peers that are not allowed, and serves each allowed one on its own, so an
 * idle or slow client never delays another. Reads grow with the load (from 4 KiB up to 64 KiB
 * while a connection keeps filling them), lines are found by {@linkcode LineScanner}, and a
 * connection idle for the timeout is closed.
 *
 * @module
 */

import { LineScanner } from "./line_scanner.ts";
import { handleMessage, rejection, type Running, type Serving } from "./serving.ts";
import { peerOf } from "./peers.ts";

const FIRST_READ_BYTES = 4 * 1024;
const MAX_READ_BYTES = 64 * 1024;
const ACCEPT_RETRY_MS = 100;

/** Serves every connection `listener` accepts until closed. */
export function serveStreams(
  listener: Deno.Listener,
  serving: Serving,
  transport: string,
): Running {
  const { log, maxLineBytes, idleTimeoutMs } = serving;
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let closing = false;
  let wakeAcceptRetry = () => {};

  const serveConn = async (conn: Deno.Conn, peer: ReturnType<typeof peerOf>) => {
    const scanner = new LineScanner(
      maxLineBytes,
      (line, endedBy) => handleMessage(serving, peer, line, endedBy),
      (discardedBytes) =>
        log(
          `${peer.shown}: discarded a line of ${discardedBytes} bytes (longer than ${maxLineBytes} bytes)`,
        ),
    );
    let buffer = new Uint8Array(FIRST_READ_BYTES);
    let timedOut = false;
    let lastActivity = performance.now();
    const checkIdle = () => {
      const idleFor = performance.now() - lastActivity;
      if (idleFor < idleTimeoutMs) {
        timer = setTimeout(checkIdle, idleTimeoutMs - idleFor);
        return;
      }
      timedOut = true;
      conn.close();
      conns.delete(conn);
    };
    let timer = setTimeout(checkIdle, idleTimeoutMs);
    let ending = "the client closed the connection";
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) {
          scanner.end();
          break;
        }
        lastActivity = performance.now();
        scanner.push(buffer.subarray(0, n));
        if (n === buffer.length && buffer.length < MAX_READ_BYTES) {
          buffer = new Uint8Array(buffer.length * 2);
        }
      }
    } catch (error) {
      ending = timedOut
        ? `sent nothing for ${idleTimeoutMs} ms: closed the connection`
        : closing
        ? "closed the connection as the server stops"
        : error instanceof Deno.errors.ConnectionReset
        ? "reset the connection (an unfinished line is dropped)"
        : `connection failed (${(error as Error).message}); an unfinished line is dropped`;
    } finally {
      clearTimeout(timer);
      if (conns.delete(conn)) conn.close();
    }
    log(`${peer.shown}: ${ending}`);
  };

  const acceptLoop = async () => {
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) break;
        log(`accepting a connection failed (${(error as Error).message}); trying again`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ACCEPT_RETRY_MS);
          wakeAcceptRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      if (closing) {
        conn.close();
        break;
      }
      const peer = peerOf(conn.remoteAddr);
      if (!serving.allow.has(peer.key)) {
        conn.close();
        log(`${peer.shown}: rejected the connection (${rejection(peer, transport)})`);
        continue;
      }
      log(`${peer.shown}: accepted the connection`);
      conns.add(conn);
      const task = serveConn(conn, peer);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  };
  const accepting = acceptLoop();

  return {
    async close() {
      closing = true;
      listener.close();
      wakeAcceptRetry();
      await accepting;
      for (const conn of conns) conn.close();
      conns.clear();
      await Promise.all(tasks);
    },
  };
}
