import assert from "node:assert/strict";
import { errorLine, usageLine } from "./program_says.ts";

Deno.test("errorLine() quotes the last line of a Python traceback", () => {
  assert.equal(
    errorLine([
      "Traceback (most recent call last):",
      '  File "/w/client.py", line 9, in <module>',
      "    s.connect((host, port))",
      "ConnectionRefusedError: [Errno 111] Connection refused",
    ]),
    "ConnectionRefusedError: [Errno 111] Connection refused",
  );
});

Deno.test("errorLine() quotes a Java exception without its thread prefix", () => {
  assert.equal(
    errorLine([
      'Exception in thread "main" java.net.ConnectException: Connection refused',
      "\tat java.base/sun.nio.ch.Net.connect0(Native Method)",
    ]),
    "java.net.ConnectException: Connection refused",
  );
});

Deno.test("errorLine() quotes the first line of other output, and nothing for none", () => {
  assert.equal(
    errorLine(["", "connect: Connection refused", "more"]),
    "connect: Connection refused",
  );
  assert.equal(errorLine(["  ", ""]), undefined);
});

Deno.test("usageLine() finds a usage line on either stream", () => {
  assert.equal(
    usageLine(["hello"], ["Usage: java Client host port"]),
    "Usage: java Client host port",
  );
  assert.equal(usageLine(["usage: ./client <ipaddress>"]), "usage: ./client <ipaddress>");
  assert.equal(usageLine(["connected"], ["error"]), undefined);
});
