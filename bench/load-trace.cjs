// Preloaded by `npm run bench -- startup` (node -r): at exit, prints on stderr the packages
// (node_modules folders) the process loaded, one JSON line, so the bench can say what a
// command pulls in.
"use strict";
const Module = require("node:module");
const seen = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const result = load.apply(this, arguments);
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (m) seen.add(m[1]);
  } catch {
    // a builtin or an unresolvable request: not a package
  }
  return result;
};
process.on("exit", () => process.stderr.write(`\nLOADED ${JSON.stringify([...seen].sort())}\n`));
