/** Tests for the libc Unix sockets: errno codes, what is left on disk, the peer's close. */

import assert from "node:assert/strict";
import { UnixDatagramSocket, UnixSocketError, UnixStreamSocket } from "./_unix_socket.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const code = (expected: string) => (error: unknown) =>
  error instanceof UnixSocketError && error.code === expected;

Deno.test({
  name:
    "UnixStreamSocket.connect() names ENOENT, ECONNREFUSED and EADDRINUSE, leaving others' files",
  ...sanitize,
  fn: () =>
    inTempDir(async (dir) => {
      await assert.rejects(
        UnixStreamSocket.connect({ path: `${dir}/nobody.sock`, timeoutMs: 500 }),
        code("ENOENT"),
      );
      using listener = Deno.listen({ transport: "unix", path: `${dir}/server.sock` });
      const bound = await UnixStreamSocket.connect({
        path: `${dir}/server.sock`,
        bindPath: `${dir}/client.sock`,
        timeoutMs: 500,
      });
      using accepted = await listener.accept();
      assert.deepEqual(accepted.remoteAddr, { transport: "unix", path: `${dir}/client.sock` });
      // client.sock is a bound stream socket that does not listen: a stale socket file.
      await assert.rejects(
        UnixStreamSocket.connect({ path: `${dir}/client.sock`, timeoutMs: 500 }),
        code("ECONNREFUSED"),
      );
      await assert.rejects(
        UnixStreamSocket.connect({
          path: `${dir}/server.sock`,
          bindPath: `${dir}/client.sock`,
          timeoutMs: 500,
        }),
        code("EADDRINUSE"),
      );
      assert.ok((await Deno.lstat(`${dir}/client.sock`)).isSocket, "another's file is kept");
      await bound.close();
    }),
});

Deno.test({
  name: "UnixStreamSocket sees the server's close, and a send after it is closed",
  ...sanitize,
  fn: () =>
    inTempDir(async (dir) => {
      using listener = Deno.listen({ transport: "unix", path: `${dir}/server.sock` });
      const socket = await UnixStreamSocket.connect({ path: `${dir}/server.sock`, timeoutMs: 500 });
      try {
        const accepted = await listener.accept();
        assert.equal(await socket.send(new TextEncoder().encode("hi\n"), 500), "sent");
        const buffer = new Uint8Array(8);
        assert.equal(await accepted.read(buffer), 3);
        assert.equal(await socket.waitPeerEnd(20), "open");
        accepted.close();
        assert.equal(await socket.waitPeerEnd(2000), "fin");
        assert.equal(await socket.send(new TextEncoder().encode("more"), 500), "closed");
      } finally {
        await socket.close();
      }
    }),
});

Deno.test({
  name: "UnixDatagramSocket sends from no path, and names ENOENT",
  ...sanitize,
  fn: () =>
    inTempDir(async (dir) => {
      const server = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/server.sock` });
      const socket = UnixDatagramSocket.open();
      try {
        await socket.send(new TextEncoder().encode("Client Query"), `${dir}/server.sock`);
        const [bytes, from] = await server.receive();
        assert.equal(new TextDecoder().decode(bytes), "Client Query");
        assert.ok(!("path" in from && from.path), "no path: the sender is unbound");
        await assert.rejects(socket.send(new Uint8Array(1), `${dir}/nobody.sock`), code("ENOENT"));
      } finally {
        await socket.close();
        server.close();
      }
    }),
});

Deno.test({
  name: "UnixDatagramSocket binds its path, tells what the server has not read, removes its file",
  ...sanitize,
  fn: () =>
    inTempDir(async (dir) => {
      const server = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/server.sock` });
      const socket = UnixDatagramSocket.open(`${dir}/client.sock`);
      try {
        assert.throws(() => UnixDatagramSocket.open(`${dir}/client.sock`), code("EADDRINUSE"));
        await socket.send(new Uint8Array(1000), `${dir}/server.sock`);
        assert.ok((socket.unread() ?? 0) > 0, "queued, not read");
        const [, from] = await server.receive();
        assert.deepEqual(from, { transport: "unixpacket", path: `${dir}/client.sock` });
        assert.equal(socket.unread(), 0);
      } finally {
        await socket.close();
        server.close();
      }
      await assert.rejects(Deno.lstat(`${dir}/client.sock`), Deno.errors.NotFound);
    }),
});

Deno.test({
  name: "UnixStreamSocket.unread() is 0 once the server's program has read every byte",
  ...sanitize,
  fn: () =>
    inTempDir(async (dir) => {
      using listener = Deno.listen({ transport: "unix", path: `${dir}/server.sock` });
      const socket = await UnixStreamSocket.connect({ path: `${dir}/server.sock`, timeoutMs: 500 });
      try {
        using accepted = await listener.accept();
        assert.equal(await socket.send(new Uint8Array(100), 500), "sent");
        assert.ok((socket.unread() ?? 0) > 0, "queued, not read");
        let got = 0;
        const buffer = new Uint8Array(100);
        while (got < 100) got += (await accepted.read(buffer)) ?? 100;
        assert.equal(socket.unread(), 0);
      } finally {
        await socket.close();
      }
    }),
});
