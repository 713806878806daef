// `cvae reproduce`, `cvae notebooks clean`, `cvae kernel`: the notebooks from the command line.
import { join, resolve } from "node:path";
import { refuseNonFolder } from "../core/fs";
import { cleanNotebookFile, notebookPaths } from "../runner/clean";
import { parseParamSpec, reproduce, resolveNotebookArgs } from "../runner/reproduce";
import { defineCommand, noPositionals, UsageError } from "./args";
import { installKernelspec, type KernelspecLocation } from "./kernelspec";

/** The project folder (lib/cli/ is two levels down). */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

export interface ReproducePlan {
  notebooks: string[];
  params: string[];
  outDir: string;
  cellTimeoutSeconds: number;
}

export const reproduceCommand = defineCommand({
  name: "reproduce",
  usage: "cvae reproduce [NOTEBOOK.ipynb | FOLDER ...] [--param key=value ...] [--out DIR]",
  flags: {
    param: { type: "strings", help: "parameter for the notebooks' parameters cell; NAME:key=value for one notebook" },
    out: { type: "string", help: "folder for executed notebooks and HTML", default: "reports" },
    "cell-timeout": { type: "number", help: "seconds allowed per cell (0 = no limit)", default: 0, min: 0, max: 1e6 },
  },
  plan({ positionals, values }): ReproducePlan {
    const notebooks = resolveNotebookArgs(positionals, join(PROJECT_ROOT, "notebooks"));
    if (notebooks.length === 0) throw new Error("no notebooks to run");
    refuseNonFolder(values.out, "a folder for the executed notebooks", `cvae reproduce: --out ${values.out}`, (m) => new UsageError(m));
    const params = values.param;
    for (const p of params) parseParamSpec(p); // a malformed --param fails before any kernel starts
    return { notebooks, params, outDir: resolve(values.out), cellTimeoutSeconds: values["cell-timeout"] };
  },
  async execute(plan) {
    return reproduce(plan.notebooks, plan.params, { outDir: plan.outDir, cellTimeoutSeconds: plan.cellTimeoutSeconds });
  },
});

export const notebooksCleanCommand = defineCommand({
  name: "notebooks clean",
  usage: "cvae notebooks clean [NOTEBOOK.ipynb | FOLDER ...] [--check]",
  flags: { check: { type: "boolean", help: "change nothing; exit 1 if any notebook is not clean" } },
  plan({ positionals, values }): { paths: string[]; check: boolean } {
    return { paths: notebookPaths(positionals, join(PROJECT_ROOT, "notebooks")), check: Boolean(values.check) };
  },
  async execute({ paths, check }) {
    let dirty = 0;
    let failed = 0;
    for (const path of paths) {
      try {
        const r = cleanNotebookFile(path, { check });
        if (!r.changed) continue;
        dirty++;
        const sizes = `${(r.bytesBefore / 1e3).toFixed(1)} kB -> ${(r.bytesAfter / 1e3).toFixed(1)} kB`;
        console.log(`${check ? "not clean" : "cleaned"}: ${path} (${r.outputs} outputs, ${sizes})`);
      } catch (err) {
        failed++;
        console.error(`cvae notebooks clean: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const clean = paths.length - dirty - failed;
    const notebooks = `${paths.length} notebook${paths.length === 1 ? "" : "s"}`;
    console.log(`${notebooks}: ${clean} already clean, ${dirty} ${check ? "not clean" : "cleaned"}, ${failed} unreadable`);
    return failed > 0 || (check && dirty > 0) ? 1 : 0;
  },
});

export const kernelCommand = defineCommand({
  name: "kernel",
  usage: "cvae kernel [--project | --prefix DIR] [--name NAME]",
  flags: {
    project: { type: "boolean", help: "install into ./.jupyter (then set JUPYTER_PATH, see environment.md)" },
    prefix: { type: "string", help: "install into DIR/share/jupyter/kernels" },
    name: { type: "string", help: "kernel name used in notebook metadata", default: "tslab", names: "kernel" },
  },
  plan({ positionals, values }): { location: KernelspecLocation; prefix: string | undefined; name: string } {
    noPositionals("kernel", positionals);
    if (values.project && values.prefix) throw new UsageError("cvae kernel: --project and --prefix exclude each other");
    const location: KernelspecLocation = values.project ? "project" : values.prefix ? "prefix" : "user";
    return { location, prefix: values.prefix, name: values.name };
  },
  async execute({ location, prefix, name }) {
    const dir = installKernelspec({ location, prefix, name, projectRoot: PROJECT_ROOT });
    console.log(`installed kernelspec "${name}" in ${dir}`);
    if (location !== "user") {
      console.log(
        `Jupyter finds it when JUPYTER_PATH includes ${resolve(dir, "..", "..")}:\n  export JUPYTER_PATH=${resolve(dir, "..", "..")}`,
      );
    }
    return 0;
  },
});
