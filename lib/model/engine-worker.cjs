// Entry point of a GradientEngine worker thread: TypeScript is loaded through tsx (the
// project has no build step), then the worker serves lib/model/engine.ts's computations.
"use strict";
require("tsx/cjs");
const { parentPort } = require("node:worker_threads");
const { serveEngineWorker } = require("./engine.ts");

serveEngineWorker(parentPort);
