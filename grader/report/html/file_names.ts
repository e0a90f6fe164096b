/**
 * File names for student pages: derived from student ids, safe on every file system (ASCII
 * letters, digits and `-` only, lower case so case-insensitive systems cannot merge two pages,
 * no path separators or dots) and unique, because each ends with a hash of the exact id.
 *
 * @example
 * ```ts
 * import { studentFileName } from "./file_names.ts";
 * const name = studentFileName("Zoë, O'Brien");
 * if (!/^zoe-o-brien-[0-9a-f]{8}\.html$/.test(name)) throw new Error(name);
 * ```
 * @module
 */

import { fnv1a } from "../../text/hash.ts";

/** The page file name for one student id, e.g. `zoe-o-brien-1a2b3c4d.html`. */
export function studentFileName(id: string): string {
  const slug = id
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${slug || "student"}-${fnv1a(id).toString(16).padStart(8, "0")}.html`;
}

/** File names for every id, made unique even in the unlikely case of a hash collision. */
export function studentFileNames(ids: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    if (names.has(id)) continue;
    let name = studentFileName(id);
    for (let n = 2; used.has(name); n++) {
      name = studentFileName(id).replace(/\.html$/, `-${n}.html`);
    }
    used.add(name);
    names.set(id, name);
  }
  return names;
}
