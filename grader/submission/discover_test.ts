/** Tests for finding a submission's server and client (EXERCISE.md §2). */

import assert from "node:assert/strict";
import { candidatesOf, detectPrograms, missingMessage } from "./discover.ts";
import { parseManifest } from "./manifest.ts";
import { writeTree } from "./_testing.ts";

const C = "int main(void) { return 0; }\n";
const PY = "print('hi')\n";

interface Expected {
  server?: string;
  client?: string;
  language: string;
  missing?: ("server" | "client")[];
  note?: RegExp;
}

Deno.test("detectPrograms() finds each kind of submission", async (t) => {
  const cases: [string, Record<string, string>, Expected][] = [
    ["C", { "server.c": C, "client.c": C }, {
      server: "c:server.c",
      client: "c:client.c",
      language: "c",
    }],
    ["C++ with .cpp and .cc", { "server.cpp": C, "client.cc": C }, {
      server: "cpp:server.cpp",
      client: "cpp:client.cc",
      language: "cpp",
    }],
    ["Python", { "server.py": PY, "client.py": PY }, {
      server: "python:server.py",
      client: "python:client.py",
      language: "python",
    }],
    ["Java", { "Server.java": "class Server {}", "Client.java": "class Client {}" }, {
      server: "java:Server.java",
      client: "java:Client.java",
      language: "java",
    }],
    ["TypeScript (declaration files ignored)", {
      "server.ts": "",
      "client.ts": "",
      "server.d.ts": "",
    }, { server: "typescript:server.ts", client: "typescript:client.ts", language: "typescript" }],
    ["a Makefile beside C sources", {
      "Makefile": "all:\n",
      "tcp_server.c": C,
      "tcp_client.c": C,
    }, { server: "make:Makefile", client: "make:Makefile", language: "make" }],
    ["a Makefile with no recognisable sources", { "makefile": "all:\n", "main.c": C }, {
      server: "make:makefile",
      client: "make:makefile",
      language: "make",
    }],
    ["a Makefile beside Python sources is not used", {
      "Makefile": "run:\n\tpython3 server.py\n",
      "server.py": PY,
      "client.py": PY,
    }, {
      server: "python:server.py",
      client: "python:client.py",
      language: "python",
      note: /Makefile was not used/,
    }],
    ["names that merely contain server/client, any case", {
      "tcp_server.c": C,
      "myClient.py": PY,
    }, { server: "c:tcp_server.c", client: "python:myClient.py", language: "mixed" }],
    ["UDPServer.java and server_v2.c: the language both sides have wins", {
      "UDPServer.java": "class UDPServer {}",
      "UDPClient.java": "class UDPClient {}",
      "server_v2.c": C,
    }, {
      server: "java:UDPServer.java",
      client: "java:UDPClient.java",
      language: "java",
      note: /server: using UDPServer\.java \(also found server_v2\.c\)/,
    }],
    ["one file is never both sides", { "client_server.c": C }, {
      server: "c:client_server.c",
      language: "c",
      missing: ["client"],
    }],
    ["a missing client", { "server.c": C }, {
      server: "c:server.c",
      language: "c",
      missing: ["client"],
    }],
    ["nothing at all", { "README.md": "hello", "notes.txt": "" }, {
      language: "unknown",
      missing: ["server", "client"],
    }],
    ["a nested folder", { "hw/src/server.c": C, "hw/src/client.c": C }, {
      server: "c:hw/src/server.c",
      client: "c:hw/src/client.c",
      language: "c",
    }],
    ["too deep a folder is not searched", { "a/b/c/d/server.c": C, "client.c": C }, {
      client: "c:client.c",
      language: "c",
      missing: ["server"],
    }],
    ["hidden folders, __MACOSX and build outputs are ignored", {
      "__MACOSX/server.c": C,
      ".git/client.c": C,
      "build/client.c": C,
      "server.py": PY,
      "client.py": PY,
    }, { server: "python:server.py", client: "python:client.py", language: "python" }],
    ["several candidates: the exact name, then the shared language, then the shallowest", {
      "server.py": PY,
      "client.py": PY,
      "old/server.c": C,
      "test_server.py": PY,
      "server.c": C,
    }, {
      server: "python:server.py",
      client: "python:client.py",
      language: "python",
      note: /server: using server\.py \(also found server\.c, old\/server\.c, test_server\.py\)/,
    }],
    ["the exact name beats the shared language", {
      "server.c": C,
      "tcp_server.py": PY,
      "client.py": PY,
    }, { server: "c:server.c", client: "python:client.py", language: "mixed" }],
    ["the language both sides share is preferred", {
      "server.py": PY,
      "server.java": "",
      "client.py": PY,
    }, {
      server: "python:server.py",
      client: "python:client.py",
      language: "python",
    }],
    ["a manifest overrides detection", {
      "submission.json":
        '{ "build": ["make"], "server": ["./srv"], "client": ["python3", "c.py"] }',
      "server.c": C,
    }, {
      server: "manifest:submission.json",
      client: "manifest:submission.json",
      language: "manifest",
    }],
    ["a manifest naming only the server leaves the client to detection", {
      "submission.json": '{ "server": ["./srv"] }',
      "client.py": PY,
    }, {
      server: "manifest:submission.json",
      client: "python:client.py",
      language: "mixed",
      note: /names no client command/,
    }],
  ];
  for (const [name, files, expected] of cases) {
    await t.step(name, async () => {
      await using tree = await writeTree(files);
      const found = await detectPrograms(tree.dir);
      const show = (p?: { kind: string; path: string }) => p && `${p.kind}:${p.path}`;
      assert.equal(show(found.server), expected.server, "server");
      assert.equal(show(found.client), expected.client, "client");
      assert.equal(found.language, expected.language);
      assert.deepEqual(Object.keys(found.missing).sort(), (expected.missing ?? []).sort());
      for (const side of expected.missing ?? []) {
        assert.equal(found.missing[side], missingMessage(side));
      }
      if (expected.note) {
        assert.ok(found.notes.some((n) => expected.note!.test(n)), found.notes.join("\n"));
      }
    });
  }
});

Deno.test("missingMessage() lists every name the contract accepts, server.cpp included", () => {
  assert.equal(
    missingMessage("server"),
    'no server program found: expected server.c, server.cpp, Server.java, server.py, server.ts, server.go, server.rs (or a name containing "server"), a Makefile that builds `server` or submission.json',
  );
});

Deno.test("detectPrograms() finds Go sides", async () => {
  await using go = await writeTree({
    "server.go": "package main\n",
    "client.go": "package main\n",
  });
  const g = await detectPrograms(go.dir);
  assert.deepEqual([g.server?.kind, g.client?.path, g.language], ["go", "client.go", "go"]);
});

Deno.test("detectPrograms() finds Rust sides in a Cargo project's src/bin", async () => {
  await using rust = await writeTree({
    "Cargo.toml": '[package]\nname = "hw"\nversion = "0.1.0"\n',
    "src/bin/server.rs": "fn main() {}\n",
    "src/bin/client.rs": "fn main() {}\n",
    "target/debug/server.rs": "stale\n",
  });
  const r = await detectPrograms(rust.dir);
  assert.deepEqual([r.server?.path, r.client?.kind, r.language], [
    "src/bin/server.rs",
    "rust",
    "rust",
  ]);
});

Deno.test("detectPrograms() names a lone Producer.java and labels the submission java", async () => {
  await using tree = await writeTree({ "Producer.java": "class Producer {}\n" });
  const found = await detectPrograms(tree.dir);
  assert.equal(found.language, "java");
  assert.match(found.missing.server!, /Producer\.java \(Java\), whose name contains neither/);
  assert.match(found.missing.client!, /Client\.java/);
});

Deno.test("detectPrograms() reports an invalid manifest as one sentence for both sides", async () => {
  await using tree = await writeTree({
    "submission.json": '{ "server": "./server", "client": ["./client"] }',
    "server.c": C,
    "client.c": C,
  });
  const found = await detectPrograms(tree.dir);
  assert.equal(found.server, undefined);
  assert.equal(found.client, undefined);
  assert.match(
    found.manifestError ?? "",
    /^submission\.json: field "server": must be a command as a list of strings, e\.g\. \["\.\/server"\]\. Fix submission\.json/,
  );
});

Deno.test("parseManifest() accepts one build command or a list and explains mistakes", async (t) => {
  await t.step("one command", () => {
    assert.deepEqual(parseManifest('{ "build": ["make", "all"], "server": ["./s"] }', "m.json"), {
      path: "m.json",
      build: [["make", "all"]],
      server: ["./s"],
    });
  });
  await t.step("a list of commands, JSONC allowed", () => {
    assert.deepEqual(
      parseManifest(
        '{ "build": [["make"], ["chmod", "+x", "c"]], // note\n "client": ["./c"], }',
        "m",
      ),
      { path: "m", build: [["make"], ["chmod", "+x", "c"]], client: ["./c"] },
    );
  });
  const errors: [string, string, RegExp][] = [
    ["not JSON", "{ server: }", /m:1:3: not valid JSON \(/],
    ["an unknown field", '{ "serve": ["x"] }', /the top level: unknown field "serve" \(allowed/],
    ["a mix of strings and lists", '{ "build": ["make", ["x"]] }', /field "build": must be either/],
    ["an empty command", '{ "client": [] }', /field "client": must name a command/],
    ["not an object", "[1]", /the top level: must be a JSON object/],
  ];
  for (const [name, text, expected] of errors) {
    await t.step(name, () => assert.throws(() => parseManifest(text, "m"), expected));
  }
});

Deno.test("candidatesOf() ranks exact names above contained ones and test files last", () => {
  assert.deepEqual(candidatesOf("src/Server.java").map((c) => [c.side, c.exactness, c.depth]), [[
    "server",
    0,
    1,
  ]]);
  assert.equal(candidatesOf("tcp_client.c")[0]?.exactness, 1);
  assert.equal(candidatesOf("server_test.py")[0]?.exactness, 2);
  assert.deepEqual(candidatesOf("client_server.c").map((c) => c.side), ["server", "client"]);
  assert.deepEqual(candidatesOf("server.h"), []);
});
