/**
 * The cost of copy detection for a class: N submissions (default 100) made of every fixture and
 * bundled sample, then disguised copies of fixtures (`grader/similarity/_disguise.ts`) until
 * there are N. Times `detectCopies` (reading the sources, fingerprinting, comparing every pair,
 * cutting the matching regions) over a few rounds and prints a markdown line with the median,
 * the memory it held and what it found, with the machine's description.
 *
 * Run: `deno task bench:copies [N]` (`--help` prints the usage).
 *
 * @module
 */

import { join } from "node:path";
import { detectCopies } from "../grader/similarity/mod.ts";
import { copyFixture, FIXTURES_DIR, SAMPLES_DIR } from "../grader/similarity/_planted_class.ts";
import { countArgument, type Script } from "./_options.ts";
import { quantile } from "./_stats.ts";

const SCRIPT: Script = {
  name: "copies_bench",
  command: "deno task bench:copies",
  usage: `usage: deno task bench:copies [N]

Times copy detection on a generated class of N submissions (default 100): every fixture and
bundled sample, then disguised copies of fixtures; prints the median of 5 rounds.`,
};

const ROUNDS = 5;

async function folders(root: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(root)) if (entry.isDirectory) names.push(entry.name);
  return names.sort();
}

async function main(): Promise<void> {
  const size = countArgument(SCRIPT, "N", 100);
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-copies-bench-" });
  try {
    const submissions: { id: string; path: string }[] = [];
    const fixtures = await folders(FIXTURES_DIR);
    const originals = [
      ...fixtures.map((f) => join(FIXTURES_DIR, f)),
      ...(await folders(SAMPLES_DIR)).map((s) => join(SAMPLES_DIR, s)),
    ];
    for (let i = 0; i < size; i++) {
      const id = `student-${String(i + 1).padStart(4, "0")}`;
      const from = originals[i] ?? join(FIXTURES_DIR, fixtures[i % fixtures.length]!);
      await copyFixture(from, join(dir, id), i < originals.length ? undefined : String(i));
      submissions.push({ id, path: join(dir, id) });
    }
    const times: number[] = [];
    let report;
    const rssBefore = Deno.memoryUsage().rss;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      report = await detectCopies(submissions);
      times.push(performance.now() - started);
    }
    const rss = Deno.memoryUsage().rss;
    const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
      .match(/model name\s*:\s*(.*)/)?.[1];
    const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")
      .slice(0, 3).join(" ");
    const prints = report!.submissions.reduce((sum, s) => sum + s.fingerprints, 0);
    console.log(
      `Copy detection, class of ${size} (${originals.length} fixtures and samples, ${
        Math.max(0, size - originals.length)
      } disguised copies), ${
        new Date().toISOString().slice(0, 10)
      }, ${navigator.hardwareConcurrency} cores (${
        cpu ?? "unknown CPU"
      }), Deno ${Deno.version.deno}, load average ${load}.\n`,
    );
    console.log(
      "| submissions | median | p95 | fingerprints | pairs listed | mostly the article's | RSS |",
    );
    console.log("|---|---|---|---|---|---|---|");
    console.log(
      `| ${size} | ${(quantile(times, 0.5) / 1000).toFixed(2)} s | ${
        (quantile(times, 0.95) / 1000).toFixed(2)
      } s | ${prints} | ${report!.pairs.length} | ${report!.mostlyBase.length} | ${
        Math.round(rss / 2 ** 20)
      } MiB (${Math.round((rss - rssBefore) / 2 ** 20)} MiB more than before) |`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
