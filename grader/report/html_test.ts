/**
 * Tests for the HTML report's files and their safety (the browser test is
 * tests/report_html_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
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
    assert.doesNotMatch(text, /<script|<img|<b>/i, path);
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
