// Registers the project's tslab kernel with Jupyter by writing its kernelspec directly
// (no Python needed). The spec starts this project's pinned tslab with this Node.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs";
import { KERNEL_NAME_ENV, plotlyBundlePath, plotlyKernelspecFile } from "../notebook/display";
import { tslabBin } from "../runner/kernel";

export type KernelspecLocation = "user" | "project" | "prefix";

export interface KernelspecOptions {
  location?: KernelspecLocation;
  /** Required for location "prefix": the spec goes to PREFIX/share/jupyter/kernels/NAME. */
  prefix?: string;
  /** Kernel name notebooks refer to (default "tslab", as in their metadata). */
  name?: string;
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** Jupyter's per-user data folder, computed as jupyter_core does. */
export function jupyterUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = env.HOME ?? homedir();
  switch (platform) {
    case "darwin":
      return join(home, "Library", "Jupyter");
    case "win32":
      return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
    default:
      return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
  }
}

export function kernelspecDir(options: KernelspecOptions): string {
  const { location = "user", name = "tslab", projectRoot, env = process.env, platform = process.platform } = options;
  switch (location) {
    case "user":
      return join(jupyterUserDataDir(env, platform), "kernels", name);
    case "project":
      return join(projectRoot, ".jupyter", "share", "jupyter", "kernels", name);
    case "prefix":
      if (!options.prefix) throw new Error('kernelspec location "prefix" needs --prefix DIR');
      return join(options.prefix, "share", "jupyter", "kernels", name);
    default:
      throw new Error(`unknown kernelspec location "${String(location)}"; expected user, project or prefix`);
  }
}

export function kernelspecJson(name = "tslab"): Record<string, unknown> {
  return {
    argv: [process.execPath, tslabBin(), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
    interrupt_mode: "signal",
    // Figures ask the Jupyter server for /kernelspecs/<name>/plotly-<version>.min.js by this name.
    env: { [KERNEL_NAME_ENV]: name },
    metadata: { "cvae-lens": { installed_by: "cvae kernel", node: process.version } },
  };
}

/**
 * Writes kernel.json and, beside it, the plotly.js copy that every Jupyter server serves from a
 * kernelspec folder, so figures draw in saved notebooks wherever the server was started.
 */
export function installKernelspec(options: KernelspecOptions): string {
  const dir = kernelspecDir(options);
  writeFileAtomic(join(dir, plotlyKernelspecFile()), readFileSync(plotlyBundlePath()));
  writeFileAtomic(join(dir, "kernel.json"), JSON.stringify(kernelspecJson(options.name ?? "tslab"), null, 2) + "\n");
  return dir;
}
