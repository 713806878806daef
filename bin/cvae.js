#!/usr/bin/env node
// Entry point of `npx cvae`: runs the TypeScript CLI through tsx (no build step).
"use strict";
require("tsx/cjs");
// `cvae ... | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}
const { main } = require("../lib/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
