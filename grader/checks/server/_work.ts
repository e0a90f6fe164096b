/**
 * {@linkcode Work}: one check's server and the probe connections the check makes, with the steps
 * the checks share: exchanges for the evidence, sending a connection's last bytes without leaving
 * the port in TIME_WAIT, the barrier after a step, the sentinel, and settling stdout. Each
 * connection opens a probe window on the server's run and settling (or the sentinel's answer)
 * closes it: responses outside every window were caused by no probe (see `server_program.ts`).
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import {
  connectProbe,
  ExchangeRecorder,
  formatAddress,
  type PeerEnd,
  ProbeConnectError,
  type ProbeConnection,
} from "../../probes/probe_client.ts";
import type { Spec } from "../../spec.ts";
import {
  describeExit,
  firstStderrLine,
  type Readiness,
  type ServerRun,
} from "../server_program.ts";
import type { KeptServer, Session } from "./_session.ts";

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
    const where = formatAddress(this.ready.address, this.ready.port);
    if (first && this.kept) {
      rec.note(
        `the server started for ${this.kept.startedFor} is still running and listening on ${where} (it passed ${
          this.kept.passed.join(", ")
        }): this check uses it`,
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
   * Opens a probe connection from the allowed client address (or the stranger's), and a probe
   * window on the run (closed by {@linkcode settle}, the {@linkcode sentinel} or the check's end).
   */
  connect(rec: ExchangeRecorder, from: "client" | "stranger" = "client"): Promise<ProbeConnection> {
    const n = ++this.#connections;
    this.run.openWindow();
    return connectProbe({
      host: this.session.target.host,
      port: this.session.target.port,
      localAddress: from === "client"
        ? this.session.net.clientAddress
        : this.session.net.strangerAddress,
      timeoutMs: this.responseMs,
      recorder: rec,
      connection: from === "client" ? `conn ${n}` : `stranger ${n}`,
    });
  }

  /** The trigger as this server answers it (see `server.trigger`). */
  triggerBytes(): string {
    return this.spec.trigger + (this.session.recipe?.terminator ?? "\n");
  }

  /**
   * Sends the last bytes of a connection and ends our side, without leaving the server's port in
   * TIME_WAIT (see `probes/probe_client.ts`): bytes and FIN back to back; or, for a server that
   * closes connections on its own after reading (found by `server.trigger`, e.g. one `recv()` per
   * connection), the bytes, then its close (at most `responseMs`), then our RST, so our FIN
   * never arrives after its close.
   */
  async sendLast(conn: ProbeConnection, data: string | Uint8Array): Promise<void> {
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
   * that orders whatever the connection caused before what comes next.
   */
  async barrier(conn: ProbeConnection, rec: ExchangeRecorder): Promise<PeerEnd> {
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
    let conn: ProbeConnection;
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
