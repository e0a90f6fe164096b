/** Tests for reading a Java file's package and main class. */

import assert from "node:assert/strict";
import { readJavaSource, stripJavaNoise } from "./_java.ts";

Deno.test("readJavaSource() finds the package and the class that declares main", async (t) => {
  const cases: [string, string, string, ReturnType<typeof readJavaSource>][] = [
    [
      "default package",
      "Server",
      "public class Server { public static void main(String[] a) {} }",
      {
        mainClass: "Server",
        publicType: "Server",
      },
    ],
    [
      "a package",
      "Server",
      "// hw\npackage hw1.net ;\nimport java.net.*;\npublic class Server {\n  public static void main(String... a) {}\n}\n",
      { packageName: "hw1.net", mainClass: "Server", publicType: "Server" },
    ],
    [
      "a public class whose name differs in case from the file",
      "server",
      "public class Server { public static void main(String[] a) {} }",
      { mainClass: "Server", publicType: "Server" },
    ],
    [
      "main after a nested class",
      "Server",
      "public class Server {\n static class Handler { void run() {} }\n public static void main(String[] a) {}\n}",
      { mainClass: "Server", publicType: "Server" },
    ],
    [
      "main in a second, non-public class",
      "UDPServer",
      "class Helper {}\nclass UDPServer { static public void main(String[] a) {} }",
      { mainClass: "UDPServer" },
    ],
    [
      "words in comments and strings are ignored",
      "Client",
      '/* class Fake { static void main() } */\npublic class Client {\n  String s = "class Nope";\n  public static void main(String[] a) {}\n}',
      { mainClass: "Client", publicType: "Client" },
    ],
  ];
  for (const [name, stem, text, expected] of cases) {
    await t.step(name, () => assert.deepEqual(readJavaSource(text, stem), expected));
  }
});

Deno.test("stripJavaNoise() blanks comments and literals but keeps offsets", () => {
  const text = "int a = 1; // class X\nString s = \"}\"; char c = '{';";
  const stripped = stripJavaNoise(text);
  assert.equal(stripped.length, text.length);
  assert.ok(!stripped.includes("class X") && !stripped.includes("}") && !stripped.includes("{"));
});
