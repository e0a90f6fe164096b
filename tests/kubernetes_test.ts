/**
 * The Kubernetes example of `examples/integrations/kubernetes/`: its manifests parsed with `yaml`
 * (an Indexed Job whose SHARDS matches its completions, pods that grade
 * `--shard $((JOB_COMPLETION_INDEX+1))/N` onto the shared volume, a merge Job reading them), then
 * the pod's own command run once per index inside the container stand-in
 * (`tests/_helpers/container_like.sh`, environment E3 as in a pod) on a small class of the bundled
 * samples, and the merge Job's command after them: the merged grades equal one whole run's in the
 * same stand-in.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import {
  describe,
  gradesOf,
  type Ran,
  readResult,
  ROOT,
  run,
  tempDir,
} from "./_helpers/class_runs.ts";

const DIR = join(ROOT, "examples/integrations/kubernetes");
const CONTAINER_LIKE = join(ROOT, "tests/_helpers/container_like.sh");
const SAMPLES = ["alice-c-correct", "bob-python-substring", "carol-c-no-address-filter"];

interface Container {
  image: string;
  env: { name: string; value: string }[];
  command: string[];
  args: string[];
  securityContext?: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    accessModes?: string[];
    template: {
      spec: {
        restartPolicy: string;
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
      };
    };
  };
}

/** The manifests of one YAML file; fails on a YAML error or warning. */
async function manifests(file: string): Promise<Manifest[]> {
  const docs = parseAllDocuments(await Deno.readTextFile(join(DIR, file)));
  assert.ok(Array.isArray(docs), `${file}: not a YAML stream`);
  for (const doc of docs) {
    assert.deepEqual([...doc.errors, ...doc.warnings].map(String), [], file);
  }
  return docs.map((doc) => doc.toJS() as Manifest);
}

const [grade] = await manifests("grade-job.yaml");
const [merge] = await manifests("merge-job.yaml");
const [volume] = await manifests("volume.yaml");

function container(job: Manifest): Container {
  return job.spec.template.spec.containers[0]!;
}

function envOf(job: Manifest): Record<string, string> {
  return Object.fromEntries(container(job).env.map((e) => [e.name, e.value]));
}

/** Runs a container's `sh -c` script inside the container stand-in with `env`. */
function inPod(job: Manifest, env: Record<string, string>): Promise<Ran> {
  const { command, args } = container(job);
  assert.deepEqual(command, ["sh", "-c"]);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return run(CONTAINER_LIKE, ["env", ...vars, "sh", "-c", args[0]!]);
}

Deno.test("the Kubernetes manifests: an Indexed Job of N shards on a shared volume, and a merge Job", () => {
  assert.equal(volume!.kind, "PersistentVolumeClaim");
  assert.deepEqual(volume!.spec.accessModes, ["ReadWriteMany"]);
  for (const job of [grade!, merge!]) {
    assert.equal(job.apiVersion, "batch/v1");
    assert.equal(job.kind, "Job");
    assert.equal(job.spec.template.spec.restartPolicy, "Never");
    assert.deepEqual(job.spec.template.spec.volumes.map((v) => v.persistentVolumeClaim.claimName), [
      volume!.metadata.name,
    ]);
    assert.equal(container(job).image, container(grade!).image);
    assert.equal(envOf(job).RESULTS_DIR, envOf(grade!).RESULTS_DIR);
    assert.ok(
      container(job).volumeMounts.some((m) => envOf(job).RESULTS_DIR!.startsWith(m.mountPath)),
    );
  }
  assert.equal(grade!.spec.completionMode, "Indexed");
  assert.equal(String(grade!.spec.completions), envOf(grade!).SHARDS);
  assert.ok(grade!.spec.parallelism! <= grade!.spec.completions!);
  const script = container(grade!).args[0]!;
  assert.match(script, /shard=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/);
  assert.match(script, /--shard "\$shard\/\$SHARDS" --json "\$RESULTS_DIR\/shard-\$shard\.json"/);
  assert.match(container(merge!).args[0]!, /merge "\$RESULTS_DIR"\/shard-\*\.json/);
  assert.equal(container(grade!).securityContext?.runAsUser, 0, "E3 needs root in the pod");
});

Deno.test({
  name:
    "each pod's command, run per index in the container stand-in, grades its shard, and the merge equals one whole run",
  ignore: Deno.uid() !== 0,
  async fn() {
    await using tmp = await tempDir();
    const classDir = join(tmp.path, "class");
    await Deno.mkdir(classDir, { mode: 0o755 });
    for (const id of SAMPLES) {
      await run("cp", ["-R", join(ROOT, "examples/submissions", id), join(classDir, id)]);
    }
    const results = join(tmp.path, "results");
    const env: Record<string, string> = {
      ...envOf(grade!),
      CLASS_DIR: classDir,
      RESULTS_DIR: results,
      SOCKGRADE_DIR: ROOT,
    };
    const shards = Number(env.SHARDS);

    const open = await inPod(grade!, { ...env, JOB_COMPLETION_INDEX: "0" });
    assert.equal(open.code, 2, describe(open));
    assert.match(open.stderr, /can be entered by other users: chmod 700 it first/);
    await Deno.chmod(classDir, 0o700);

    for (let index = 0; index < shards; index++) {
      const pod = await inPod(grade!, { ...env, JOB_COMPLETION_INDEX: String(index) });
      assert.equal(pod.code, 0, `pod ${index}\n${describe(pod)}`);
      const part = await readResult(join(results, `shard-${index + 1}.json`));
      assert.equal(part.shard, `${index + 1}/${shards}`);
      assert.equal(part.environment?.id, "E3", `pod ${index} graded in ${part.environment?.id}`);
    }
    assert.equal(
      (await Deno.stat(results)).mode! & 0o777,
      0o700,
      "umask 077 keeps results private",
    );

    const merged = await inPod(merge!, {
      ...envOf(merge!),
      RESULTS_DIR: results,
      SOCKGRADE_DIR: ROOT,
    });
    assert.equal(merged.code, 0, describe(merged));
    for (const report of ["class.json", "grades.csv", "class.xml", "html/index.html"]) {
      await Deno.stat(join(results, report));
    }

    const whole = join(tmp.path, "whole.json");
    const one = await run(CONTAINER_LIKE, [
      "env",
      "NO_COLOR=1",
      Deno.execPath(),
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "grade",
      classDir,
      "--quiet",
      "--json",
      whole,
    ]);
    assert.equal(one.code, 0, describe(one));
    const classResult = await readResult(join(results, "class.json"));
    assert.deepEqual(Object.keys(gradesOf(classResult)), SAMPLES);
    assert.deepEqual(gradesOf(classResult), gradesOf(await readResult(whole)));
  },
});
