/**
 * Tests for the class overview's copies section.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { SimilarityReport } from "../../result.ts";
import { renderHtmlReport } from "../html.ts";
import { sampleResult } from "../_sample_result.ts";
import { copiesSection } from "./copies.ts";

function report(pairs = true): SimilarityReport {
  const region = (file: string, startLine: number, text: string) => ({
    file,
    startLine,
    endLine: startLine + text.split("\n").length - 1,
    text,
  });
  return {
    method: "winnowing",
    k: 12,
    window: 6,
    threshold: 0.6,
    baseThreshold: 0.5,
    base: ["the article's example server (section 6)"],
    submissions: [
      { id: "alice", files: ["server.c"], fingerprints: 200, baseShare: 0.05 },
      { id: "bob", files: ["server.c"], fingerprints: 190, baseShare: 0.05 },
      { id: "carol", files: ["server.c"], fingerprints: 100, baseShare: 0.8 },
    ],
    mostlyBase: ["carol"],
    pairs: pairs
      ? [{
        a: "alice",
        b: "bob",
        similarity: 0.93,
        shareOfA: 0.88,
        shareOfB: 0.93,
        sharedFingerprints: 177,
        regions: [{
          a: region("server.c", 10, 'printf("<script>x</script>");\nreturn 0;'),
          b: region("main.c", 40, 'printf("<b>");\nreturn 0;'),
          fingerprints: 12,
        }],
      }]
      : [],
    notes: ["bob: big.c was not compared: it is larger than 262144 bytes."],
    durationMs: 12,
  };
}

Deno.test("copiesSection() lists pairs with their regions side by side, escaped", () => {
  const files = new Map([["alice", "students/alice.html"], ["bob", "students/bob.html"]]);
  const out = copiesSection(report(), files).value;
  assert.match(out, /How to read this\./);
  assert.match(out, /Nothing here changes a score\./);
  assert.match(out, /<a href="students\/alice\.html">alice<\/a>/);
  assert.match(out, /<a href="#pair-1">93 %<\/a>/);
  assert.match(out, /alice: <code>server\.c<\/code> lines 10–11/);
  assert.match(out, /bob: <code>main\.c<\/code> lines 40–41/);
  assert.match(out, /class="sidebyside"/);
  assert.ok(!out.includes("<script>"), "region text must be escaped");
  assert.match(out, /&lt;script&gt;x&lt;\/script&gt;/);
  assert.match(out, /<td>carol<\/td>\s*<td class="num">80 %<\/td>/);
  assert.match(out, /big\.c was not compared/);
});

Deno.test("copiesSection() says so when no pair reached the threshold", () => {
  const out = copiesSection(report(false), new Map()).value;
  assert.match(out, /No pair of submissions reached the threshold\./);
  assert.ok(!out.includes('class="pair"'));
});

Deno.test("the class overview has a copies section only when copy detection ran", () => {
  const without = renderHtmlReport(sampleResult()).get("index.html")!;
  assert.ok(!without.includes('id="copies"'));
  const result = { ...sampleResult(), similarity: report() };
  const index = renderHtmlReport(result).get("index.html")!;
  assert.match(index, /<h2 id="copies">Copies<\/h2>/);
  const copies = index.slice(index.indexOf('id="copies"'));
  assert.match(copies, /<a href="students\/alice-[0-9a-f]+\.html">alice<\/a>/);
});
