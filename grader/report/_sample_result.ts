/**
 * A realistic sample {@linkcode GradeResult} shared by the report tests: four submissions covering
 * every status (full marks; fails with exchanges; a partial `warn`; `skip`s after a failed build;
 * a grader `error`), a student id with a comma, an apostrophe and a non-ASCII letter
 * (`Zoë, O'Brien`), a wide-character id, and text with `<&>"` and `<script>` in messages and in
 * exchanged bytes. The spec hides one check and shows another after the due date, so the
 * student-facing formats have something to leave out.
 *
 * @module
 */

import { CHECK_IDS, type CheckId, DEFAULT_POINTS } from "../checks/catalogue.ts";
import type {
  CheckResult,
  CheckStatus,
  Evidence,
  Exchange,
  GradeResult,
  SubmissionResult,
} from "../result.ts";
import { RESULT_SCHEMA } from "../result.ts";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";

/** The id of the student whose submission has fails, a warn and hostile text. */
export const ZOE = "Zoë, O'Brien";

/** The id of the student with a wide-character (CJK) id. */
export const CHEN = "陳大文";

/** The message with markup characters that every format must carry through escaped. */
export const MARKUP_MESSAGE =
  "stdout has a line that is not a response: \"<script>alert('x')</script> & <b>\"";

/** Bytes (already escaped for display) that the hostile client sends. */
export const HOSTILE_BYTES = "<script>alert(1)</script>\\0\\n";

/** The checks a student may not see in the sample spec, and how. */
export const SAMPLE_VISIBILITY: Partial<Record<CheckId, "hidden" | "after_due_date">> = {
  "server.robustness": "hidden",
  "server.concurrency": "after_due_date",
};

function sampleSpec(): Spec {
  const spec = structuredClone(DEFAULT_SPEC) as Spec;
  Object.assign(spec.visibility, SAMPLE_VISIBILITY);
  return spec;
}

interface CheckInput {
  points?: number;
  message?: string;
  hint?: string;
  evidence?: Evidence;
  durationMs?: number;
}

function check(id: CheckId, status: CheckStatus, input: CheckInput = {}): CheckResult {
  const maxPoints = DEFAULT_POINTS[id];
  const full = status === "pass" || status === "warn";
  const result: CheckResult = {
    id,
    status,
    points: input.points ?? (full ? maxPoints : 0),
    maxPoints,
    message: input.message ?? defaultMessage(status),
    evidence: input.evidence ?? {},
    durationMs: input.durationMs ?? 40,
  };
  if (input.hint !== undefined) result.hint = input.hint;
  return result;
}

function defaultMessage(status: CheckStatus): string {
  switch (status) {
    case "pass":
      return "OK.";
    case "skip":
      return "Skipped: the client did not build.";
    default:
      return `Check ended with status ${status}.`;
  }
}

function submission(
  id: string,
  language: string,
  overrides: Partial<Record<CheckId, CheckResult>>,
  notes?: string[],
): SubmissionResult {
  const checks = CHECK_IDS.map((c) => overrides[c] ?? check(c, "pass"));
  const result: SubmissionResult = {
    id,
    path: `submissions/${id}`,
    language,
    // As grader/score.ts scores: a check the grader could not run leaves the maximum.
    score: checks.reduce((sum, c) => sum + c.points, 0),
    maxScore: checks.filter((c) => c.status !== "error").reduce((sum, c) => sum + c.maxPoints, 0),
    durationMs: 1800 + checks.length * 10,
    isolation: "netns",
    checks,
  };
  if (notes) result.notes = notes;
  return result;
}

/** One trigger sent by the probe, answered by the server (the happy path). */
export function triggerExchange(responses = 1): Exchange {
  const exchange: Exchange = {
    label: "trigger from 192.168.100.2",
    events: [
      {
        atMs: 0,
        actor: "probe",
        kind: "connect",
        connection: "conn 1",
        from: "192.168.100.2:40112",
        to: "192.168.100.168:6666",
      },
      {
        atMs: 1.2,
        actor: "probe",
        kind: "send",
        connection: "conn 1",
        data: "Client Query\\n",
        size: 13,
      },
      {
        atMs: 1.9,
        actor: "server",
        kind: "receive",
        connection: "conn 1",
        data: "Client Query\\n",
        size: 13,
      },
    ],
  };
  for (let i = 0; i < responses; i++) {
    exchange.events.push({ atMs: 3.4 + i, actor: "server", kind: "stdout", data: "Receive Query" });
  }
  exchange.events.push({ atMs: 8, actor: "probe", kind: "close", connection: "conn 1" });
  return exchange;
}

function nearMissExchange(): Exchange {
  return {
    label: 'near miss "Cleint Query" then sentinel',
    events: [
      {
        atMs: 0,
        actor: "probe",
        kind: "connect",
        connection: "conn 1",
        to: "192.168.100.168:6666",
      },
      {
        atMs: 0.8,
        actor: "probe",
        kind: "send",
        connection: "conn 1",
        data: "Cleint Query\\n",
        size: 13,
      },
      { atMs: 2.1, actor: "server", kind: "stdout", data: "Receive Query" },
      {
        atMs: 4,
        actor: "probe",
        kind: "send",
        connection: "conn 1",
        data: "Client Query\\n",
        size: 13,
      },
      { atMs: 5.5, actor: "server", kind: "stdout", data: "Receive Query" },
      { atMs: 6, actor: "probe", kind: "close", connection: "conn 1" },
    ],
  };
}

function hostileClientExchange(): Exchange {
  return {
    label: "client against the capture server",
    events: [
      { atMs: 0, actor: "grader", kind: "start", data: "python3 client.py 192.168.100.168 6666" },
      {
        atMs: 14,
        actor: "client",
        kind: "connect",
        connection: "conn 1",
        from: "192.168.100.2:51000",
        to: "192.168.100.168:6666",
      },
      {
        atMs: 15,
        actor: "capture",
        kind: "receive",
        connection: "conn 1",
        data: "Client Query testCleint QueryClient Query Quit",
        size: 46,
      },
      {
        atMs: 15.5,
        actor: "capture",
        kind: "receive",
        connection: "conn 1",
        data: HOSTILE_BYTES,
        size: 28,
      },
      { atMs: 16, actor: "client", kind: "close", connection: "conn 1" },
      { atMs: 30, actor: "client", kind: "stderr", data: 'sent 4 messages <&>"' },
      { atMs: 31, actor: "client", kind: "exit", data: "exit code 0" },
    ],
  };
}

function robustnessExchange(): Exchange {
  return {
    label: "reset mid-line, then the trigger",
    events: [
      {
        atMs: 0,
        actor: "probe",
        kind: "connect",
        connection: "conn 1",
        to: "192.168.100.168:6666",
      },
      { atMs: 1, actor: "probe", kind: "send", connection: "conn 1", data: "Client Qu", size: 9 },
      { atMs: 2, actor: "probe", kind: "reset", connection: "conn 1" },
      { atMs: 3, actor: "server", kind: "stderr", data: "Segmentation fault" },
      { atMs: 4, actor: "server", kind: "exit", data: "killed by SIGSEGV" },
      {
        atMs: 5,
        actor: "probe",
        kind: "connect",
        connection: "conn 2",
        to: "192.168.100.168:6666",
      },
      { atMs: 5.4, actor: "probe", kind: "refused", connection: "conn 2" },
      { atMs: 1005, actor: "grader", kind: "timeout", data: "no response within 1000 ms" },
    ],
  };
}

/**
 * Builds the sample result. Each call returns a fresh copy, so tests may change it.
 *
 * Scores: `alice` 100/100; `Zoë, O'Brien` 55/100 (fails, a warn with half points); `bob` 60/100
 * (client did not build, so client checks skip; a grader error on address-filter);
 * `陳大文` 97/100 (a warn with partial points).
 */
export function sampleResult(): GradeResult {
  const alice = submission("alice", "c", {
    "server.trigger": check("server.trigger", "pass", {
      message: 'One "Receive Query" for one "Client Query".',
      evidence: { exchanges: [triggerExchange()], stdout: "Receive Query\\n" },
    }),
  });
  const zoe = submission(ZOE, "python", {
    "server.trigger": check("server.trigger", "fail", {
      message: 'The server printed "Receive Query" 2 times for one "Client Query"; expected once.',
      hint: "Print the response once per received line, not once per recv() call.",
      evidence: { exchanges: [triggerExchange(2)], stdout: "Receive Query\\nReceive Query\\n" },
    }),
    "server.exact-match": check("server.exact-match", "fail", {
      message: 'The near miss "Cleint Query" got a response; only "Client Query" should.',
      hint: "Compare the whole line with the trigger (==), not a prefix or a fuzzy match.",
      evidence: { exchanges: [nearMissExchange()], nearMisses: ["Cleint Query"] },
    }),
    "server.output": check("server.output", "warn", {
      points: 1,
      message: MARKUP_MESSAGE,
      hint: 'Print only "Receive Query" lines on stdout; send debugging output to stderr.',
      evidence: { stdout: "<script>alert('x')</script> & <b>\\nReceive Query\\n" },
    }),
    "client.messages": check("client.messages", "fail", {
      message: 'The messages arrived concatenated without delimiters: <&> "quotes".',
      hint: 'End every message with \\n ("Client Query test\\n").',
      evidence: {
        exchanges: [hostileClientExchange()],
        expected: ["Client Query test", "Cleint Query", "Client Query Quit"],
      },
    }),
    "pair.end-to-end": check("pair.end-to-end", "fail", {
      message: "The server printed 1 response for the article's messages; expected 0.",
      evidence: { stdout: "Receive Query\\n", clientExit: 0 },
    }),
  }, ["The symlink notes.txt was not followed."]);
  const skipped = (id: CheckId) => check(id, "skip", { durationMs: 0 });
  const bob = submission("bob", "c", {
    "build.client": check("build.client", "fail", {
      message: "client.c did not compile.",
      hint: "Run `cc -Wall -Wextra -o client client.c` and fix the first error.",
      evidence: {
        command: ["cc", "-Wall", "-Wextra", "-o", "client", "client.c"],
        exitCode: 1,
        stderr:
          "client.c: In function 'main':\\nclient.c:12:5: error: 'sockfd' undeclared (first use in this function)\\n   12 |     sockfd = socket(AF_INET, SOCK_STREAM, 0);\\n      |     ^~~~~~\\n",
      },
    }),
    "server.robustness": check("server.robustness", "fail", {
      message: "The server crashed after a client reset the connection mid-line.",
      hint: "Treat recv() returning -1 or 0 as the end of that client, not of the server.",
      evidence: { exchanges: [robustnessExchange()] },
    }),
    "server.address-filter": check("server.address-filter", "error", {
      message: "The grader could not bind the stranger address 192.168.100.3 (EADDRNOTAVAIL).",
    }),
    "client.connects": skipped("client.connects"),
    "client.messages": skipped("client.messages"),
    "client.exits": skipped("client.exits"),
    "client.no-server": skipped("client.no-server"),
    "pair.end-to-end": skipped("pair.end-to-end"),
  });
  const chen = submission(CHEN, "java", {
    "server.concurrency": check("server.concurrency", "warn", {
      points: 2,
      message: "The second client was answered only after 850 ms.",
      hint: "Serve each client in its own thread, or use select()/poll().",
    }),
  });
  return {
    schema: RESULT_SCHEMA,
    spec: sampleSpec(),
    isolation: "netns",
    startedAt: "2025-03-14T09:26:53.589Z",
    durationMs: 7421,
    submissions: [zoe, alice, chen, bob],
  };
}

/** The sample result reduced to one submission, as a Gradescope or PrairieLearn run has. */
export function sampleSingle(id: string): GradeResult {
  const result = sampleResult();
  result.submissions = result.submissions.filter((s) => s.id === id);
  if (result.submissions.length !== 1) throw new RangeError(`No sample submission "${id}".`);
  return result;
}
