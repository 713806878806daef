// The CLI's commands. Each is a thin wrapper over lib functions. (`cvae bench` is not
// here: bin/cvae.js hands it to bench/main.ts, so the library never loads its benchmarks.)
import { join, resolve } from "node:path";
import { describeBackend, initBackend, parseBackendChoice } from "../model/backend";
import { reproduce, resolveNotebookArgs } from "../runner/reproduce";
import { UsageError, type Command } from "./args";
import { installKernelspec, type KernelspecLocation } from "./kernelspec";

/** The project folder (lib/cli/ is two levels down). */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

export const reproduceCommand: Command = {
  name: "reproduce",
  summary: "run the notebooks headless in the tslab kernel; write reports/ (ipynb + HTML)",
  usage: "cvae reproduce [NOTEBOOK.ipynb | FOLDER ...] [--param key=value ...] [--out DIR]",
  flags: {
    param: { type: "strings", help: "parameter for the notebooks' parameters cell; NAME:key=value for one notebook" },
    out: { type: "string", help: "folder for executed notebooks and HTML", default: "reports" },
    "cell-timeout": { type: "number", help: "seconds allowed per cell (0 = no limit)", default: 0 },
  },
  async run(positionals, flags) {
    const notebooks = resolveNotebookArgs(positionals, join(PROJECT_ROOT, "notebooks"));
    if (notebooks.length === 0) throw new Error("no notebooks to run");
    return reproduce(notebooks, flags.param as string[], {
      outDir: resolve(String(flags.out)),
      cellTimeoutSeconds: Number(flags["cell-timeout"]),
    });
  },
};

export const kernelCommand: Command = {
  name: "kernel",
  summary: "register the tslab kernel with Jupyter (per user by default)",
  usage: "cvae kernel [--project | --prefix DIR] [--name NAME]",
  flags: {
    project: { type: "boolean", help: "install into ./.jupyter (then set JUPYTER_PATH, see environment.md)" },
    prefix: { type: "string", help: "install into DIR/share/jupyter/kernels" },
    name: { type: "string", help: "kernel name used in notebook metadata", default: "tslab" },
  },
  async run(_positionals, flags) {
    if (flags.project && flags.prefix) throw new UsageError("cvae kernel: --project and --prefix exclude each other");
    const location: KernelspecLocation = flags.project ? "project" : flags.prefix ? "prefix" : "user";
    const dir = installKernelspec({
      location,
      prefix: flags.prefix as string | undefined,
      name: String(flags.name),
      projectRoot: PROJECT_ROOT,
    });
    console.log(`installed kernelspec "${String(flags.name)}" in ${dir}`);
    if (location !== "user") {
      console.log(
        `Jupyter finds it when JUPYTER_PATH includes ${resolve(dir, "..", "..")}:\n  export JUPYTER_PATH=${resolve(dir, "..", "..")}`,
      );
    }
    return 0;
  },
};

export const backendCommand: Command = {
  name: "backend",
  summary: "show which TensorFlow.js backend loads here (CVAE_BACKEND to force one)",
  usage: "cvae backend [--json] [--backend auto|tensorflow|wasm|cpu]",
  flags: {
    json: { type: "boolean", help: "print JSON" },
    backend: { type: "string", help: "backend to try", default: "auto" },
  },
  async run(_positionals, flags) {
    const info = await initBackend({ backend: parseBackendChoice(String(flags.backend), "--backend"), log: false });
    console.log(flags.json ? JSON.stringify(info, null, 2) : describeBackend(info));
    return 0;
  },
};
