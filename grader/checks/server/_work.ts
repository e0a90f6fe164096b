/**
 * {@linkcode Work}: one check's server and the probe connections the check makes, with the steps
 * the checks share: exchanges for the evidence, sending a connection's last bytes without leaving
 * the port in TIME_WAIT, the barrier after a step, the sentinel, and settling stdout. Each
 * connection opens a probe window on the server's run and settling (or the sentinel's answer)
 * closes it: responses outside every window were caused by no probe (see `server_program.ts`).
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import { ExchangeRecorder, type PeerEnd, ProbeConnectError } from "../../probes/probe_client.ts";
import { clientEndpoint, planTransport, strangerEndpoint } from "../../probes/endpoints.ts";
import { formatEndpoint, type ProbeSession, type ProbeTransport } from "../../probes/transport.ts";
import { probeTransport } from "../../probes/transports/mod.ts";
import type { Spec } from "../../spec.ts";
import {
  describeExit,
  firstStderrLine,
  type Readiness,
  type ServerRun,
} from "../server_program.ts";
import type { KeptServer, Session } from "./_session.ts";

/**
 * The datagram sent after a step's datagrams as a barrier (see `Work.barrier`): no server prints
 * the response for it, since it neither is nor holds the trigger.
 */
export const BARRIER_DATAGRAM = "sockgrade: barrier";

/**
 * Who a probe is: the allowed client (its address, or its bound path), the stranger, or (Unix
 * transports) a socket that bound no path, which the server cannot tell apart.
 */
export type ProbeRole = "client" | "stranger" | "unbound";

/** One check's server and exchanges. */
export class Work {
  /** The check's exchanges, in order: the evidence. */
  readonly exchanges: ExchangeRecorder[] = [];
  /** What the checks of this submission share. */
  readonly session: Session;
  /** The server under test. */
  readonly run: ServerRun;
  /** Where it listens. */
  readonly ready: Readiness & { state: "listening" };
  /** Set when the server was kept from earlier checks it passed (see {@linkcode KeptServer}). */
  readonly kept?: KeptServer;
  #connections = 0;

  /** A check's work on `run`, listening as `ready` (`kept` when it is the kept server). */
  constructor(
    session: Session,
    run: ServerRun,
    ready: Readiness & { state: "listening" },
    kept?: KeptServer,
  ) {
    this.session = session;
    this.run = run;
    this.ready = ready;
    this.kept = kept;
  }

  /** The assignment. */
  get spec(): Spec {
    return this.session.spec;
  }

  /** The plan's transport, whose probe sessions the check opens. */
  get transport(): ProbeTransport {
    return probeTransport(planTransport(this.session.net));
  }

  /** Whether the transport carries datagrams (no connection, no close to observe). */
  get datagram(): boolean {
    return this.transport.datagram;
  }

  /** Who `role` is in messages: the allowed client's address or bound path, the stranger's. */
  nameOf(role: ProbeRole): string {
    if (role === "unbound") return "an unbound socket";
    const at = role === "client"
      ? clientEndpoint(this.session.net)
      : strangerEndpoint(this.session.net);
    return "path" in at ? at.path : at.address;
  }

  /** How long to wait for a response (the spec's `timeouts.responseMs`). */
  get responseMs(): number {
    return this.session.spec.timeouts.responseMs;
  }

  /** Starts a new exchange; the server's output so far goes into the previous one. */
  exchange(label: string): ExchangeRecorder {
    this.flush();
    const first = this.exchanges.length === 0;
    const startedAt = this.run.program.startedAt;
    const rec = new ExchangeRecorder(label, first && !this.kept ? startedAt : performance.now());
    const where = formatEndpoint(this.ready.at);
    if (first && this.kept) {
      rec.note(
        `the server started for ${this.kept.startedFor} is still running and listening on ${where}${
          this.kept.passed.length ? ` (it passed ${this.kept.passed.join(", ")})` : ""
        }: this check uses it`,
      );
    } else if (first) {
      rec.add(
        { actor: "server", kind: "start", data: escapeText(this.run.argv.join(" ")) },
        startedAt,
      );
      rec.note(`listening on ${where}`, "server");
    }
    this.exchanges.push(rec);
    return rec;
  }

  /** Records the server's new output lines into the latest exchange. */
  flush(): void {
    const last = this.exchanges.at(-1);
    if (last) this.run.recordOutput(last);
  }

  /**
   * Opens a probe session of the plan's transport from the allowed client (its address, or its
   * bound path), the stranger, or an unbound Unix socket, and a probe window on the run (closed
   * by {@linkcode settle}, the {@linkcode sentinel} or the check's end).
   */
  connect(rec: ExchangeRecorder, from: ProbeRole = "client"): Promise<ProbeSession> {
    const n = ++this.#connections;
    this.run.openWindow();
    const net = this.session.net;
    const source = from === "client"
      ? clientEndpoint(net)
      : from === "stranger"
      ? strangerEndpoint(net)
      : undefined;
    return this.transport.open({
      to: this.session.target,
      ...(source ? { from: source } : {}),
      timeoutMs: this.responseMs,
      recorder: rec,
      connection: from === "client" ? `conn ${n}` : `${from} ${n}`,
    });
  }

  /**
   * The trigger as this server answers it (see `server.trigger`): with `\n` on streams, bare in
   * one datagram, unless the server was found to answer it only the other way.
   */
  triggerBytes(): string {
    return this.spec.trigger + (this.session.recipe?.terminator ?? (this.datagram ? "" : "\n"));
  }

  /**
   * Sends the last bytes of a connection and ends our side, without leaving the server's port in
   * TIME_WAIT (see `probes/probe_client.ts`): bytes and FIN back to back; or, for a server that
   * closes connections on its own after reading (found by `server.trigger`, e.g. one `recv()` per
   * connection), the bytes, then its close (at most `responseMs`), then our RST, so our FIN
   * never arrives after its close. A datagram session just sends.
   */
  async sendLast(conn: ProbeSession, data: string | Uint8Array): Promise<void> {
    if (this.datagram) {
      await conn.send(data, this.responseMs);
      return;
    }
    if (!this.session.closesOnItsOwn) {
      await conn.sendAndEnd(data, this.responseMs);
      return;
    }
    await conn.send(data, this.responseMs);
    await conn.waitPeerEnd(this.responseMs);
    await conn.end();
  }

  /**
   * Half-closes `conn` and waits (at most `responseMs`) for the server to end it: the barrier
   * that orders whatever the connection caused before what comes next. A datagram has no close:
   * the barrier is the server's program having read every datagram sent (its answer, if any, is
   * printed right after), and the session stays `open`.
   */
  async barrier(conn: ProbeSession, rec: ExchangeRecorder): Promise<PeerEnd> {
    if (this.datagram) {
      // The server's read of a datagram is no barrier for what it prints about it (it may be
      // descheduled between its recvfrom() and its print): a second datagram, which no server
      // answers, read in turn orders the first one's prints before it (a server reads its
      // datagrams one after the other), whatever the machine's load.
      const read = await conn.waitConsumed(this.responseMs) !== false &&
        await conn.send(BARRIER_DATAGRAM, this.responseMs) === "sent" &&
        await conn.waitConsumed(this.responseMs) !== false;
      if (!read) {
        rec.add({
          actor: "grader",
          kind: "timeout",
          data: `the server did not read what was sent within ${this.responseMs} ms`,
        });
      }
      return conn.peerEnd;
    }
    await conn.end();
    const end = await conn.waitPeerEnd(this.responseMs);
    if (end === "open") {
      rec.add({
        actor: "grader",
        kind: "timeout",
        data:
          `the server did not close the connection within ${this.responseMs} ms after the probe's FIN`,
      });
    }
    return end;
  }

  /**
   * The sentinel: the trigger on a fresh allowed connection; true when it was answered, false
   * when it was not or the connection was refused (throws only for grader faults).
   */
  async sentinel(label = "sentinel: the trigger on a new connection"): Promise<boolean> {
    const rec = this.exchange(label);
    const before = this.run.responseCount();
    let conn: ProbeSession;
    try {
      conn = await this.connect(rec);
    } catch (error) {
      if (error instanceof ProbeConnectError && error.failure !== "bind") return false;
      throw error;
    }
    await using _ = conn;
    this.run.allow(1);
    await this.sendLast(conn, this.triggerBytes());
    const answered = await this.run.waitResponses(before + 1, this.responseMs);
    if (!answered) {
      rec.add({
        actor: "grader",
        kind: "timeout",
        data: `no "${escapeText(this.spec.response)}" within ${this.responseMs} ms`,
      });
    }
    await this.settle();
    this.flush();
    return answered;
  }

  /**
   * Waits until the server's stdout has been read up to now (`ServerRun.syncOutput`); false when
   * that is not possible and counts must rely on sentinels alone.
   */
  async settle(): Promise<boolean> {
    const synced = await this.run.syncOutput(this.responseMs);
    this.run.closeWindow();
    return synced;
  }

  /**
   * Words for a server that died during the check, or "". Called on failure paths only, it
   * waits a little (at most 200 ms) for an exit that is under way to be reported.
   */
  async deathWords(): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.run.program.exited,
      new Promise((resolve) => timer = setTimeout(resolve, 200)),
    ]);
    clearTimeout(timer);
    const exit = this.run.exit;
    if (!exit) return "";
    const err = firstStderrLine(this.run.program);
    return `your server ended (${describeExit(exit)}${err ? `, stderr: "${err}"` : ""})`;
  }
}
