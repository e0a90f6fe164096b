/**
 * sockgrade's version: the `version` field of `deno.json`, imported (not read from disk), so the
 * compiled executable carries it too.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };

/** The version printed by `--version`. */
export const VERSION: string = config.version;
