/**
 * Hints for C++: the C wordings (the socket API is the same), with the iostream way of printing.
 *
 * @module
 */

import { C_HINTS } from "./c.ts";
import type { LanguageHints } from "./causes.ts";

/** The C++ wordings. */
export const CPP_HINTS: LanguageHints = {
  ...C_HINTS,
  "client.error-on-stdout":
    'Print errors on stderr (`std::cerr << ...` or `perror("connect")`), not on std::cout.',
  "server.no-response":
    'Compare each received line with the trigger (`line == "{trigger}"` after removing the \'\\n\') and print `std::cout << "{response}" << std::endl;`.',
  "server.exact-compare":
    "Compare the whole line with the trigger (`line == trigger` after removing '\\n'){why}.",
  "server.near-miss-prefix": "not only its first characters (compare or strncmp with a length)",
  "server.near-miss-substring": "not a substring (find or strstr)",
  "server.near-miss-case": "not ignoring case",
  "server.concurrency":
    "Serve each client on its own: a `std::thread` per connection (detached), fork() a child per connection, or poll() over all sockets.",
  "server.output-flood":
    "Do not print in a loop (e.g. on every poll() round); print diagnostics to std::cerr, once per event, and keep std::cout for the response.",
  "server.output-extra-lines":
    "Print diagnostics to std::cerr and keep std::cout for the response.",
  "server.output-flush":
    "End the response with `std::endl` (or `std::cout << std::flush`) so it is written at once.",
};
