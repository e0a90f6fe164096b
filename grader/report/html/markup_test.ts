/**
 * Tests for the escaping HTML template.
 *
 * @module
 */

import assert from "node:assert/strict";
import { escapeHtml, html } from "./markup.ts";

Deno.test("html`` escapes interpolated text but not nested templates", () => {
  const inner = html`<b>${"a & b"}</b>`;
  const out = html`<p title="${'"><script>x</script>'}">${inner}${[
    "<i>",
    1,
    null,
    undefined,
    false,
  ]}</p>`;
  assert.equal(
    out.value,
    '<p title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"><b>a &amp; b</b>&lt;i&gt;1</p>',
  );
});

Deno.test("escapeHtml() escapes quotes and shows control characters", () => {
  assert.equal(escapeHtml(`<&>"'`), "&lt;&amp;&gt;&quot;&#39;");
  assert.equal(escapeHtml("a\x00b\x1bc\nd"), "a\\x00b\\x1bc\nd");
});
