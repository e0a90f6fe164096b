/**
 * Tests for the JUnit XML writer: parsed back with fast-xml-parser, and validated with xmllint
 * against the real Jenkins (`junit-10.xsd`) and Ant schemas in testdata/ (see its README for
 * their sources). xmllint is required (Debian: libxml2-utils).
 *
 * @module
 */

import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { CHECK_IDS } from "../checks/catalogue.ts";
import { MARKUP_MESSAGE, sampleResult, ZOE } from "./_sample_result.ts";
import { formatJunit } from "./junit.ts";

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
});

function parse(xml: string) {
  const validation = XMLValidator.validate(xml);
  assert.equal(validation, true, JSON.stringify(validation));
  return parser.parse(xml).testsuites as Node & { testsuite: (Node & { testcase: Node[] })[] };
}

/** Fails at once, in one line, when xmllint is missing. */
function requireXmllint(): void {
  try {
    new Deno.Command("xmllint", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
  } catch {
    throw new Error(
      "xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils).",
    );
  }
}

/** Validates `xml` with xmllint against a schema in testdata/; returns xmllint's verdict. */
async function validate(xml: string, schemaFile: string): Promise<void> {
  requireXmllint();
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-junit-" });
  try {
    const file = `${dir}/junit.xml`;
    await Deno.writeTextFile(file, xml);
    const schema = new URL(`./testdata/${schemaFile}`, import.meta.url).pathname;
    const out = await new Deno.Command("xmllint", {
      args: ["--noout", "--schema", schema, file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `${schemaFile}: ${stderr}`);
    assert.match(stderr, /validates/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("formatJunit() writes one testsuite per submission and one testcase per check", () => {
  const result = sampleResult();
  const root = parse(formatJunit(result));
  assert.equal(root["@tests"], undefined, "Ant's schema allows no attributes on <testsuites>");
  const total = (key: string) => root.testsuite.reduce((n, s) => n + Number(s[key]), 0);
  assert.deepEqual(["@tests", "@failures", "@errors", "@skipped"].map(total), [60, 6, 1, 5]);
  assert.deepEqual(root.testsuite.map((s) => s["@name"]), result.submissions.map((s) => s.id));
  for (const suite of root.testsuite) {
    assert.deepEqual(suite.testcase.map((t) => t["@name"]), [...CHECK_IDS]);
    assert.ok(suite.testcase.every((t) => t["@classname"] === suite["@name"]));
  }
});

Deno.test("formatJunit() maps fail, error, skip and warn to failure, error, skipped and system-out", () => {
  const root = parse(formatJunit(sampleResult()));
  const suite = (id: string) => root.testsuite.find((s) => s["@name"] === id)!;
  const testcase = (id: string, check: string) =>
    suite(id).testcase.find((t) => t["@name"] === check)!;
  const zoe = suite(ZOE);
  assert.equal(zoe["@tests"], "15");
  assert.equal(zoe["@failures"], "4");
  assert.equal(zoe["@time"], "1.950");
  assert.equal(zoe["@timestamp"], "2025-03-14T09:26:53");
  const failure = testcase(ZOE, "server.trigger").failure as Node;
  assert.match(failure["@message"] as string, /printed "Receive Query" 2 times/);
  assert.match(failure["#text"] as string, /probe\s+→ server\s+send "Client Query\\n"/);
  const warn = testcase(ZOE, "server.output");
  assert.equal(warn.failure, undefined);
  assert.equal(warn["system-out"], undefined);
  assert.equal(
    zoe["system-out"],
    `server.output: warn: ${MARKUP_MESSAGE}\npoints: 1/2\nhint: Print only "Receive Query" lines on stdout; send debugging output to stderr.\nstdout:\n  │ <script>alert('x')</script> & <b>\n  │ Receive Query`,
  );
  assert.equal(
    (testcase(ZOE, "client.messages").failure as Node)["@message"],
    'The messages arrived concatenated without delimiters: <&> "quotes".',
  );
  const error = testcase("bob", "server.address-filter").error as Node;
  assert.equal(error["@type"], "grader-error");
  assert.match(error["@message"] as string, /EADDRNOTAVAIL/);
  assert.equal(
    (testcase("bob", "client.exits").skipped as Node)["@message"],
    "Skipped: the client did not build.",
  );
  const properties = (zoe.properties as { property: Node[] }).property;
  assert.deepEqual(properties.slice(0, 2).map((p) => [p["@name"], p["@value"]]), [["score", "55"], [
    "maxScore",
    "100",
  ]]);
});

Deno.test("formatJunit() escapes control characters XML 1.0 cannot carry", () => {
  const result = sampleResult();
  result.submissions[0]!.checks[3]!.message = "bell\x07 and nul\x00";
  const xml = formatJunit(result);
  assert.ok(!xml.includes("\x00") && !xml.includes("\x07"));
  assert.match(xml, /bell\\x07 and nul\\x00/);
  parse(xml);
});

for (const schema of ["jenkins-junit-10.xsd", "ant-junit.xsd"]) {
  Deno.test(`formatJunit() output validates against ${schema}`, async () => {
    await validate(formatJunit(sampleResult()), schema);
    const empty = { ...sampleResult(), submissions: [] };
    await validate(formatJunit(empty), schema);
    const nasty = sampleResult();
    nasty.submissions[0]!.checks[3]!.message = "bell\x07 and nul\x00 <&>";
    await validate(formatJunit(nasty), schema);
  });
}
