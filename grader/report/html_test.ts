/**
 * Tests for the HTML report's files and their safety (the browser test is
 * tests/report_html_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CLASS_LIST_SCRIPT } from "./html/class_list_script.ts";
import { HOSTILE_BYTES, MARKUP_MESSAGE, sampleResult, ZOE } from "./_sample_result.ts";
import { renderHtmlReport, writeHtmlReport } from "./html.ts";
import { studentFileName } from "./html/file_names.ts";
import { escapeHtml } from "./html/markup.ts";

Deno.test("renderHtmlReport() makes an index and one page per student, linked both ways", () => {
  const files = renderHtmlReport(sampleResult());
  const paths = [...files.keys()];
  assert.equal(paths[0], "index.html");
  assert.equal(paths.length, 5);
  const index = files.get("index.html")!;
  for (const path of paths.slice(1)) {
    assert.match(path, /^students\/[a-z0-9-]+\.html$/);
    assert.ok(index.includes(`href="${path}"`), path);
    assert.ok(files.get(path)!.includes('href="../index.html"'));
  }
  assert.ok(files.has(`students/${studentFileName(ZOE)}`));
  assert.match(index, /<svg class="histogram"/);
  assert.match(index, /Zoë, O&#39;Brien/);
});

Deno.test("renderHtmlReport() escapes every piece of submission text", () => {
  const result = sampleResult();
  result.submissions[0]!.id = "<script>alert('id')</script>";
  result.submissions[0]!.notes = ["<img src=x onerror=alert(1)>"];
  for (const [path, text] of renderHtmlReport(result)) {
    // The report's own script, the only one, is allowed by its hash and is a constant.
    const scripts = text.match(/<script>[^]*?<\/script>/g) ?? [];
    assert.ok(scripts.every((s) => s === `<script>${CLASS_LIST_SCRIPT}</script>`), path);
    assert.equal(scripts.length, path === "index.html" ? 1 : 0, path);
    const hash = createHash("sha256").update(CLASS_LIST_SCRIPT).digest("base64");
    if (scripts.length) assert.ok(text.includes(`script-src &#39;sha256-${hash}&#39;`), path);
    const rest = text.replace(/<script>[^]*?<\/script>/g, "");
    assert.doesNotMatch(rest, /<script|<img|<b>/i, path);
    assert.match(text, /Content-Security-Policy" content="default-src &#39;none&#39;/);
    assert.doesNotMatch(text, /(src|href)="(https?:)?\/\//, "nothing external");
  }
  const zoePage =
    [...renderHtmlReport(result).entries()].find(([, t]) => t.includes("Print only"))![1];
  assert.ok(zoePage.includes(escapeHtml(MARKUP_MESSAGE)));
  assert.ok(zoePage.includes(escapeHtml(HOSTILE_BYTES)));
  assert.match(zoePage, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

Deno.test("writeHtmlReport() writes the files into the folder and returns their paths", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-html-" });
  try {
    const written = await writeHtmlReport(sampleResult(), `${dir}/report`);
    assert.equal(written[0], `${dir}/report/index.html`);
    assert.equal(written.length, 5);
    for (const path of written) assert.ok((await Deno.stat(path)).size > 1000, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderHtmlReport() draws one diagram for a failed check with 12 exchanges, opened first", () => {
  const result = sampleResult();
  const alice = result.submissions.find((s) => s.id === "alice")!;
  const exact = alice.checks.find((c) => c.id === "server.exact-match")!;
  const exchanges = Array.from({ length: 12 }, (_, i) => ({
    label: `near miss ${i + 1}`,
    events: [{ atMs: 0, actor: "probe" as const, kind: "send" as const, data: `miss ${i + 1}` }],
  }));
  Object.assign(exact, {
    status: "fail",
    points: 0,
    message: "Your server answered near miss 3.",
    evidence: { exchanges, nearMisses: [{ message: "Client Query test", responses: 1 }] },
  });
  const trigger = alice.checks.find((c) => c.id === "server.trigger")!;
  trigger.evidence = { exchanges: exchanges.slice(0, 2) };
  const page = [...renderHtmlReport(result)].find(([path]) => path.includes("alice"))![1];
  assert.equal(page.match(/<svg class="seq"/g)?.length, 1, "one diagram, not 12");
  assert.equal(page.match(/<details class="exchange"\s+open>/g)?.length, 1);
  assert.match(page, /<details class="exchange"\s+open><summary>Exchange: near miss 3</);
  assert.match(page, /Exchanges \(bytes in the JSON result\): near miss 1 · near miss 2/);
  // Evidence fields are laid out, not dumped as JSON.
  assert.match(page, /<table class="fields">.*<th>message<\/th><th>responses<\/th>/s);
  assert.doesNotMatch(page, /\{"message"/);
});
