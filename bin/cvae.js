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
// Benchmarks are a development tool outside the library: `cvae bench` goes straight to them.
const argv = process.argv.slice(2);
const { main } = argv[0] === "bench" ? require("../bench/main.ts") : require("../lib/cli/main.ts");
main(argv[0] === "bench" ? argv.slice(1) : argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
