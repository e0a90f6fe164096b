/**
 * Tests for the SVG sequence diagrams and the histogram.
 *
 * @module
 */

import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { HOSTILE_BYTES, triggerExchange } from "../_sample_result.ts";
import { scoreBins, scoreHistogram } from "./histogram.ts";
import { sequenceDiagram } from "./sequence.ts";

Deno.test("sequenceDiagram() draws a lifeline per actor, arrows, notes and times", () => {
  const svg = sequenceDiagram(triggerExchange(2)).value;
  assert.equal(XMLValidator.validate(svg), true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg).svg;
  assert.equal(parsed.title, "trigger from 192.168.100.2");
  assert.ok(Number(parsed["@_width"]) > 0 && Number(parsed["@_height"]) > 0);
  assert.equal((svg.match(/class="lifeline"/g) ?? []).length, 2);
  assert.equal((svg.match(/class="arrow kind-send"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="arrow kind-receive"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="note kind-stdout"/g) ?? []).length, 2);
  assert.match(svg, />send &quot;Client Query\\n&quot; \(13 B\)</);
  assert.match(svg, />stdout &quot;Receive Query&quot;</);
  assert.match(svg, />8\.0 ms</);
});

Deno.test("sequenceDiagram() escapes hostile bytes and labels, and cuts long ones with a tooltip", () => {
  const long = "A".repeat(500);
  const svg = sequenceDiagram({
    label: "<script>alert(1)</script>",
    events: [
      { atMs: 0, actor: "client", kind: "send", data: HOSTILE_BYTES },
      { atMs: 1, actor: "client", kind: "send", data: long },
      { atMs: 2, actor: "capture", kind: "note", data: "</svg><img src=x onerror=alert(1)>" },
    ],
  }).value;
  assert.doesNotMatch(svg, /<script|<img/);
  assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;\\0\\n/);
  assert.match(svg, /A…<\/text>/);
  assert.match(svg, new RegExp(`<title>client: send &quot;${long}&quot;</title>`));
  assert.equal(XMLValidator.validate(svg), true);
});

Deno.test("scoreHistogram() bins scores by percent and labels each bar", () => {
  const bins = scoreBins([
    { score: 0, maxScore: 100 },
    { score: 9.9, maxScore: 100 },
    { score: 10, maxScore: 100 },
    { score: 100, maxScore: 100 },
    { score: 5, maxScore: 0 },
  ]);
  assert.deepEqual(bins, [3, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const svg = scoreHistogram(bins).value;
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /<title>0–9 %: 3 submissions<\/title>/);
  assert.match(svg, />90–100</);
});
