/**
 * Prerequisites of the tests that run hostile code: each test calls one of these first, so that
 * it fails at once, with one line naming what to install, instead of running the code without
 * the containment it tests (or skipping silently).
 *
 * @module
 */

import { filesystemIsolation } from "../../grader/sandbox/filesystem.ts";
import { namespaceSupport } from "../../grader/sandbox/netns.ts";

/** Thrown when a prerequisite is missing: a one-line message, without a stack. */
export class MissingPrerequisite extends Error {
  override name = "MissingPrerequisite";
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/** Fails unless bubblewrap gives programs their private filesystem view here (E1). */
export function requireBubblewrap(): void {
  const fs = filesystemIsolation();
  if (fs.kind !== "private") {
    throw new MissingPrerequisite(
      `this test runs hostile code and needs bubblewrap's private view (${fs.reason}): apt-get install bubblewrap`,
    );
  }
}

/** Fails unless private network namespaces and bubblewrap both work here (E1). */
export async function requireNamespacesAndBubblewrap(): Promise<void> {
  const support = await namespaceSupport();
  if (!support.ok) {
    throw new MissingPrerequisite(
      `this test runs hostile code in private namespaces, which cannot be made here (${support.reason}): apt-get install util-linux iproute2 and enable user namespaces`,
    );
  }
  requireBubblewrap();
}

/** Fails unless this test runs as root with util-linux's `unshare` and `mount` (stand-ins). */
export function requireRootWithUnshare(): void {
  if (Deno.uid() !== 0) {
    throw new MissingPrerequisite(
      "this test makes an environment stand-in (a private mount namespace, a container) and must run as root",
    );
  }
}
