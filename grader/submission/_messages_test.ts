/** Tests for compiler output cleaning and first-error extraction. */

import assert from "node:assert/strict";
import { cleanOutput, countWarnings, firstError } from "./_messages.ts";

Deno.test("firstError() names the first error of each tool in one line", async (t) => {
  const cases: [string, string, string | undefined][] = [
    [
      "gcc",
      "server.c: In function 'main':\nserver.c:12:5: error: 'sockfd' undeclared (first use in this function)\n   12 |     sockfd = 1;\nserver.c:3:7: warning: unused variable 'x'\n",
      "server.c:12:5: error: 'sockfd' undeclared (first use in this function)",
    ],
    [
      "gcc fatal error",
      "client.c:1:10: fatal error: netinet.h: No such file or directory\ncompilation terminated.\n",
      "client.c:1:10: fatal error: netinet.h: No such file or directory",
    ],
    [
      "the linker",
      "/usr/bin/ld: /tmp/cc1.o: in function `main':\nserver.c:(.text+0x5): undefined reference to `foo'\ncollect2: error: ld returned 1 exit status\n",
      "server.c: undefined reference to `foo'",
    ],
    [
      "javac with its symbol line",
      "Server.java:3: error: cannot find symbol\n    System.out.println(sockfd);\n                       ^\n  symbol:   variable sockfd\n  location: class Server\n1 error\n",
      "Server.java:3: error: cannot find symbol (symbol: variable sockfd)",
    ],
    [
      "a Python traceback",
      'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n  File "server.py", line 3\n    x = 2\nIndentationError: unexpected indent\n',
      "server.py:3: IndentationError: unexpected indent",
    ],
    [
      "a Deno syntax error",
      "error: SyntaxError: Expression expected\n  |\n1 | const x = (;\n  |            ~\n    at file:///tmp/x/server.ts:1:12\n",
      "/tmp/x/server.ts:1:12: SyntaxError: Expression expected",
    ],
    [
      "a Deno type error",
      "TS2304 [ERROR]: Cannot find name 'y'.\nconsole.log(y);\n            ^\n    at server.ts:2:13\n\nerror: Type checking failed.\n",
      "server.ts:2:13: TS2304 Cannot find name 'y'.",
    ],
    [
      "make",
      "make: *** No rule to make target 'missing.c', needed by 'server'.  Stop.\n",
      "make: No rule to make target 'missing.c', needed by 'server'. Stop.",
    ],
    ["nothing to name", "some output\nwithout problems\n", undefined],
  ];
  for (const [name, output, expected] of cases) {
    await t.step(name, () => assert.equal(firstError(output), expected));
  }
});

Deno.test("cleanOutput() removes the workspace path and colours and escapes control bytes", () => {
  const raw = new TextEncoder().encode(
    "\x1b[01m/tmp/sockgrade-x/hw/server.c:1:1:\x1b[m error: bad\r\nat file:///tmp/sockgrade-x/a.ts\0\n",
  );
  assert.equal(
    cleanOutput(raw, "/tmp/sockgrade-x"),
    "hw/server.c:1:1: error: bad\nat a.ts\\0",
  );
});

Deno.test("cleanOutput() keeps the head and tail of very long output", () => {
  const text = cleanOutput(new TextEncoder().encode("a".repeat(20_000) + "END"), "/w");
  assert.ok(text.length < 17_000);
  assert.ok(text.endsWith("END") && text.includes("characters left out"));
});

Deno.test("countWarnings() counts compiler warnings", () => {
  assert.equal(countWarnings("a.c:1:1: warning: x\nb.c:2:2: warning: y\nwarning: z\nnote"), 3);
});
