import assert from "node:assert/strict";
import { ephemeralPorts, freePort } from "./free_port.ts";

Deno.test("freePort() gives a port below the ephemeral range, where no outbound connection lands", () => {
  const range = ephemeralPorts();
  assert.ok(range, "this Linux test machine has /proc/sys/net/ipv4/ip_local_port_range");
  for (let i = 0; i < 100; i++) {
    const port = freePort();
    assert.ok(port >= 1024 && port < range.low, `port ${port} is not below ${range.low}`);
  }
});

Deno.test("freePort() never gives the same port twice in a row and skips a port in use", () => {
  const first = freePort();
  const taken = first + 1 < (ephemeralPorts()?.low ?? 0) ? first + 1 : undefined;
  using _listener = taken === undefined
    ? undefined
    : Deno.listen({ hostname: "127.0.0.1", port: taken });
  const seen = new Set([first]);
  for (let i = 0; i < 50; i++) {
    const port = freePort();
    assert.notEqual(port, taken, "a port with a listener was given");
    assert.ok(!seen.has(port), `port ${port} was given twice`);
    seen.add(port);
    using listener = Deno.listen({ hostname: "127.0.0.1", port });
    assert.equal(listener.addr.port, port);
  }
});
