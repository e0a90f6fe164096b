import assert from "node:assert/strict";
import { join } from "node:path";
import { sampleResult } from "../grader/report/_sample_result.ts";
import { checkReportOptions, writeReports } from "./reports.ts";
import { GraderFailure, UsageError } from "../grader/errors/usage_error.ts";

Deno.test("a report that cannot be written at the end does not stop the others", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "sockgrade-reports-test-" });
  try {
    const gone = join(tmp, "gone");
    await Deno.mkdir(gone);
    const options = {
      json: join(tmp, "r.json"),
      csv: join(gone, "grades.csv"),
      junit: join(tmp, "r.xml"),
      html: join(tmp, "html"),
      quiet: true,
    };
    await checkReportOptions(options);
    // The folder disappears while grading runs.
    await Deno.remove(gone);
    await assert.rejects(writeReports(sampleResult(), options), (error: Error) => {
      assert.ok(error instanceof GraderFailure, String(error));
      assert.equal(error.exitCode, 1);
      assert.match(error.message, /--csv .*grades\.csv/);
      assert.match(error.message, /the other 3 report\(s\) were written/);
      return true;
    });
    assert.equal(JSON.parse(await Deno.readTextFile(options.json)).schema, "sockgrade/result@1");
    assert.match(await Deno.readTextFile(options.junit), /^<\?xml /);
    assert.ok((await Deno.stat(join(options.html, "index.html"))).isFile);
    const left = (await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name).sort();
    assert.deepEqual(left, ["html", "r.json", "r.xml"], "no temporary file is left");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("checkReportOptions ignores --json - (standard output)", async () => {
  await checkReportOptions({ json: "-" });
  await assert.rejects(checkReportOptions({ json: "/nonexistent-folder/r.json" }), UsageError);
});
