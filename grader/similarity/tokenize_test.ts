/**
 * Tests for the per-language tokeniser of copy detection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { languageOfFile, type SourceLanguage, tokenize } from "./tokenize.ts";

const texts = (source: string, language: SourceLanguage) =>
  tokenize(source, language).map((t) => t.text).join(" ");

Deno.test("tokenize() normalises identifiers, literals and numbers and drops comments", async (t) => {
  const cases: [SourceLanguage, string, string][] = [
    [
      "c",
      '#include <stdio.h>\nint n = 0x1F; /* c */ printf("%d\\n", n); // x',
      "int I = N ; I ( S , I ) ;",
    ],
    ["cpp", "std::cout << 'a' << 1.5e-3;", "I :: I << S << N ;"],
    ["java", 'String s = """\nline "x"\n"""; // end', "I I = S ;"],
    ["python", "x = rb'a\\'b'  # c\ny = f\"{x}\" // 2", "I = S I = S // N"],
    ["python", "'''doc\n# not a comment'''\nreturn None", "S return None"],
    [
      "typescript",
      "const s = `a${b}\n`; // c\nlet x = a?.b ?? 2;",
      "const I = S ; let I = I ?. I ?? N ;",
    ],
    [
      "go",
      "func main() { s := `raw\nline` // c\n\tif n != nil { return } }",
      "func I ( ) { I := S if I != nil { return } }",
    ],
    [
      "rust",
      'let mut buf = [0u8; 512]; /* c */ let s = b"abc"; // x',
      "let mut I = [ N ; N ] ; let I = S ;",
    ],
  ];
  for (const [language, source, expected] of cases) {
    await t.step(`${language}: ${JSON.stringify(source)}`, () => {
      assert.equal(texts(source, language), expected);
    });
  }
});

Deno.test("tokenize() gives each token the line it starts on", () => {
  const tokens = tokenize('/* a\nb */ int\nx = "s";\n\ny;', "c");
  assert.deepEqual(tokens.map((t) => [t.text, t.line]), [
    ["int", 2],
    ["I", 3],
    ["=", 3],
    ["S", 3],
    [";", 3],
    ["I", 5],
    [";", 5],
  ]);
});

Deno.test("tokenize() never throws on broken code: unterminated literals end with their line", () => {
  assert.equal(texts('printf("oops);\nint x;', "c"), "I ( S int I ;");
  assert.equal(texts("/* never closed\nint x;", "c"), "");
  assert.equal(texts("s = '''never closed", "python"), "I = S");
  assert.equal(texts("变量 = 1 @ ¤", "python"), "I = N @ ¤");
});

Deno.test("tokenize() is blind to renaming and reformatting", () => {
  const a = "static int add(int a, int b)\n{\n    return a + b; /* sum */\n}\n";
  const b = "static int plus(int x,int y){return x+y;}";
  assert.equal(texts(a, "c"), texts(b, "c"));
});

Deno.test("languageOfFile() knows the compared languages by extension", () => {
  assert.equal(languageOfFile("server.c"), "c");
  assert.equal(languageOfFile("net.H"), "c");
  assert.equal(languageOfFile("Server.cpp"), "cpp");
  assert.equal(languageOfFile("Client.java"), "java");
  assert.equal(languageOfFile("client.py"), "python");
  assert.equal(languageOfFile("server.ts"), "typescript");
  assert.equal(languageOfFile("server.go"), "go");
  assert.equal(languageOfFile("client.rs"), "rust");
  assert.equal(languageOfFile("Makefile"), undefined);
  assert.equal(languageOfFile("c"), undefined);
  assert.equal(languageOfFile("notes.txt"), undefined);
});
