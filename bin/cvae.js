#!/usr/bin/env node
// Entry point of `npx cvae`: runs the TypeScript CLI through tsx (no build step).
"use strict";
require("tsx/cjs");
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
