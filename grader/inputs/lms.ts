/**
 * Reads the names that learning-management systems give to files in a bulk download, so that a
 * class can be regrouped into one folder per student. Pure functions, no file access.
 *
 * - Moodle ("Download all submissions"): one folder per student and plugin,
 *   `Jane Doe_12345_assignsubmission_file_/server.c` (the number is the participant id, unique in
 *   the assignment), or, with folders turned off, flat files
 *   `Jane Doe_12345_assignsubmission_file_server.c`. The student id is `Jane Doe_12345`.
 * - Canvas ("Download Submissions"): flat files `doejane_12345_67890_server.c`, or
 *   `doejane_LATE_12345_67890_client.py` for a late one (12345 = user id, 67890 = attachment
 *   id). A re-uploaded file gets `-1`, `-2`… before its extension, which is dropped here. The
 *   student id is `doejane_12345`.
 *
 * @example
 * ```ts
 * import { parseCanvasFile, parseMoodleFolder } from "./lms.ts";
 * if (parseMoodleFolder("Jane Doe_12345_assignsubmission_file_")?.id !== "Jane Doe_12345") {
 *   throw new Error("Moodle folder not recognised");
 * }
 * if (parseCanvasFile("doejane_LATE_12345_67890_server-1.c")?.file !== "server.c") {
 *   throw new Error("Canvas file not recognised");
 * }
 * ```
 * @module
 */

/** A Moodle per-student folder name, split. */
export interface MoodleFolder {
  /** The student id: name and participant id, e.g. `Jane Doe_12345`. */
  id: string;
  /** The submission plugin, e.g. `file` or `onlinetext`. */
  plugin: string;
}

/** A Moodle flat file name, split. */
export interface MoodleFile extends MoodleFolder {
  /** The file name the student uploaded. */
  file: string;
}

/** A Canvas flat file name, split. */
export interface CanvasFile {
  /** The student id: Canvas's name part and user id, e.g. `doejane_12345`. */
  id: string;
  /** Whether Canvas marked the submission late. */
  late: boolean;
  /** Canvas's attachment id: a later upload has a larger one. */
  attachment: number;
  /** The file name the student uploaded, without Canvas's `-N` re-upload suffix. */
  file: string;
}

const MOODLE_FOLDER = /^(.+_\d+)_assignsubmission_([a-z0-9]+)_?$/;
const MOODLE_FILE = /^(.+_\d+)_assignsubmission_([a-z0-9]+)_(.+)$/;
const CANVAS_FILE = /^([^_\s]+)_(late_)?(\d+)_(\d+)_(.+)$/i;

/** Splits a Moodle per-student folder name, or returns `null` if it is not one. */
export function parseMoodleFolder(name: string): MoodleFolder | null {
  const m = MOODLE_FOLDER.exec(name);
  return m ? { id: m[1]!.trim(), plugin: m[2]! } : null;
}

/** Splits a Moodle flat file name, or returns `null` if it is not one. */
export function parseMoodleFile(name: string): MoodleFile | null {
  const m = MOODLE_FILE.exec(name);
  if (!m || !usableFileName(m[3]!)) return null;
  return { id: m[1]!.trim(), plugin: m[2]!, file: m[3]! };
}

/** Splits a Canvas flat file name, or returns `null` if it is not one. */
export function parseCanvasFile(name: string): CanvasFile | null {
  const m = CANVAS_FILE.exec(name);
  if (!m) return null;
  const file = withoutReuploadSuffix(m[5]!);
  if (!usableFileName(file)) return null;
  return { id: `${m[1]}_${m[3]}`, late: m[2] !== undefined, attachment: Number(m[4]), file };
}

/** `server-1.c` → `server.c`, `Makefile-2` → `Makefile`; other names are returned unchanged. */
export function withoutReuploadSuffix(file: string): string {
  const m = /^(.+?)-\d+(\.[^.]*)?$/.exec(file);
  return m ? m[1]! + (m[2] ?? "") : file;
}

function usableFileName(file: string): boolean {
  return file !== "" && file !== "." && file !== ".." && !/[/\\\0]/.test(file);
}
