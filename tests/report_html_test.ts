/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core loads the class overview and a student page from `file://` URLs, offline, and
 * checks that there are no console errors or network requests, that every student link opens
 * the right page, that the SVG sequence diagrams render with a size and carry the exchanged
 * bytes as labels, and that hostile text stays text. It keeps a full-page screenshot of a
 * student page in `SOCKGRADE_SCREENSHOT_DIR` when that variable is set.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  HOSTILE_BYTES,
  MARKUP_MESSAGE,
  sampleResult,
  ZOE,
} from "../grader/report/_sample_result.ts";
import { writeHtmlReport } from "../grader/report/html.ts";
import { studentFileName } from "../grader/report/html/file_names.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "the HTML report renders offline in Chromium with working links and sequence diagrams",
  ignore: !chromiumInstalled(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-html-" });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ARGS,
      timeout: 60_000,
    });
    try {
      const result = sampleResult();
      await writeHtmlReport(result, dir);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const external: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file://")) return route.continue();
        external.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") {
          problems.push(`${m.type()}: ${m.text()}`);
        }
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("dialog", (d) => {
        problems.push(`dialog: ${d.message()}`);
        return d.dismiss();
      });

      const indexUrl = `file://${dir}/index.html`;
      await page.goto(indexUrl);
      assert.equal(await page.title(), "sockgrade: class report");
      const histogram = await page.locator("svg.histogram").boundingBox();
      assert.ok(
        histogram && histogram.width > 100 && histogram.height > 100,
        "histogram has a size",
      );
      assert.equal(await page.locator("table.checks tbody tr").count(), 15);
      const links = page.locator("table.students a");
      assert.deepEqual(await links.allTextContents(), ["alice", "bob", ZOE, "陳大文"]);

      // Sorting and filtering the class list (the page's own script, allowed by its hash).
      const visibleIds = () => page.locator("table.students tr:not([hidden]) a").allTextContents();
      await page.click('button[data-key="percent"]');
      assert.deepEqual(
        await visibleIds(),
        [ZOE, "bob", "陳大文", "alice"],
        "55 %, 55.6 %, 97 %, 100 %",
      );
      await page.click('button[data-key="percent"]');
      assert.deepEqual(await visibleIds(), ["alice", "陳大文", "bob", ZOE]);
      await page.fill("#student-filter", "java");
      assert.deepEqual(await visibleIds(), ["陳大文"]);
      assert.equal(await page.locator("#student-count").textContent(), "1 of 4 shown");
      await page.fill("#student-filter", "");
      await page.selectOption("#student-show", "full");
      assert.deepEqual(await visibleIds(), ["alice"]);
      await page.selectOption("#student-show", "all");
      await page.click('button[data-key="order"]');
      assert.deepEqual(await visibleIds(), ["alice", "bob", ZOE, "陳大文"]);

      for (
        const href of await links.evaluateAll((as) =>
          as.map((a) => (a as unknown as { href: string }).href)
        )
      ) {
        const response = await page.goto(href);
        assert.ok(response?.ok(), href);
        assert.match(await page.title(), /^sockgrade: /);
        await page.click("text=← class report");
        assert.equal(page.url(), indexUrl);
      }

      await page.click(`table.students a:text-is("${ZOE}")`);
      assert.equal(page.url(), `file://${dir}/students/${studentFileName(ZOE)}`);
      assert.equal(await page.locator("h1").textContent(), ZOE);
      await page.locator("details").evaluateAll((all) =>
        all.forEach((d) => (d as unknown as { open: boolean }).open = true)
      );

      // One diagram per check that went wrong (its first failing exchange), none for passes.
      const zoe = result.submissions.find((s) => s.id === ZOE)!;
      const wrong = zoe.checks.filter((c) =>
        ["fail", "warn", "error"].includes(c.status) && (c.evidence.exchanges ?? []).length > 0
      );
      const diagrams = page.locator("svg.seq");
      assert.equal(await diagrams.count(), wrong.length);
      for (let i = 0; i < wrong.length; i++) {
        const box = await diagrams.nth(i).boundingBox();
        assert.ok(box && box.width > 200 && box.height > 100, `diagram ${i} has a size`);
        const title = await diagrams.nth(i).locator(":scope > title").textContent();
        assert.ok(wrong[i]!.evidence.exchanges!.some((e) => e.label === title), title ?? "");
      }
      const labels = await page.locator("svg.seq text").allTextContents();
      assert.ok(labels.includes('send "Client Query\\n" (13 B)'), labels.join("\n"));
      assert.ok(labels.includes(`recv "${HOSTILE_BYTES}" (28 B)`), labels.join("\n"));
      assert.ok(labels.includes('stdout "Receive Query"'));
      for (const actor of ["probe", "server", "grader", "client", "capture"]) {
        assert.ok(labels.includes(actor), `lifeline ${actor}`);
      }
      const arrowBox = await page.locator("svg.seq g.arrow.kind-send line").first().boundingBox();
      assert.ok(arrowBox && arrowBox.width > 100, "arrows span the lanes");

      assert.equal(await page.locator("script").count(), 0, "no script element made it in");
      assert.ok((await page.locator("body").textContent())!.includes(MARKUP_MESSAGE));
      assert.equal(await page.locator(".fix code").textContent(), "server.trigger");
      await page.click(".fix a");
      assert.ok(page.url().endsWith("#check-server.trigger"));

      const shotDir = Deno.env.get("SOCKGRADE_SCREENSHOT_DIR") ?? dir;
      const shot = await page.screenshot({ path: `${shotDir}/student-page.png`, fullPage: true });
      assert.ok(shot.byteLength > 10_000);

      assert.deepEqual(problems, []);
      assert.deepEqual(external, []);
      await context.close();
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
