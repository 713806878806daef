// Access to a real Jupyter (Debian's python3-nbclient) for the tests that check the
// notebooks also run there. .ci/run installs it; elsewhere these tests skip with a reason.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { installKernelspec } from "../../lib/cli/kernelspec";
import { projectRoot } from "../../lib/core/paths";
import { tempDir } from "./temp";

export const SYSTEM_PYTHON = process.env.CVAE_TEST_PYTHON ?? "/usr/bin/python3";
const HELPER = join(__dirname, "nbclient_run.py");

/** Why Jupyter tests cannot run here, or null when they can. */
export function jupyterMissing(): string | null {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import nbclient, nbformat, jupyter_client"], { encoding: "utf8" });
  if (r.error) return `${SYSTEM_PYTHON} not found`;
  return r.status === 0 ? null : `${SYSTEM_PYTHON} lacks nbclient/nbformat/jupyter_client (apt install python3-nbclient jupyter-client)`;
}

/** A private Jupyter path holding this project's tslab kernelspec. */
export function privateJupyterPath(): string {
  const prefix = tempDir("jupyter-prefix-");
  installKernelspec({ location: "prefix", prefix, projectRoot: projectRoot() });
  return join(prefix, "share", "jupyter");
}

export function runHelper(args: string[], jupyterPath: string): { status: number | null; result: Record<string, unknown>; stderr: string } {
  const r = spawnSync(SYSTEM_PYTHON, [HELPER, ...args], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_DATA_DIR: tempDir("jupyter-data-") },
    timeout: 15 * 60_000,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "{}";
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(last) as Record<string, unknown>;
  } catch {
    result = { unparsed: r.stdout.slice(-2000) };
  }
  return { status: r.status, result, stderr: r.stderr.slice(-4000) };
}
