// Where things live. Notebooks run with the notebook folder as working directory and
// see lib/ through the notebooks/lib symlink, so the project root is found by walking
// up to our package.json rather than from __dirname alone.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PACKAGE_NAME = "cvae-lens";

let cachedRoot: string | null = null;

/** The project folder (holding package.json "cvae-lens"). CVAE_ROOT overrides. */
export function projectRoot(): string {
  if (process.env.CVAE_ROOT) return resolve(process.env.CVAE_ROOT);
  if (cachedRoot) return cachedRoot;
  for (const start of [__dirname, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      const pkg = join(dir, "package.json");
      if (existsSync(pkg) && isOurPackage(pkg)) return (cachedRoot = dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} project folder above ${__dirname} or ${process.cwd()}; set CVAE_ROOT`);
}

/** Data folder: raw downloads, processed data sets, models, metrics. CVAE_DATA_DIR overrides. */
export function dataDir(): string {
  const fromEnv = process.env.CVAE_DATA_DIR;
  const dir = fromEnv ? resolve(fromEnv) : join(projectRoot(), "data");
  // A file there would otherwise surface as ENOTDIR from some mkdir deep inside a command.
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`${fromEnv ? `CVAE_DATA_DIR=${fromEnv}` : dir}: is not a folder, expected the data folder (raw/, processed/, models/)`);
  }
  return dir;
}

/** The version in our package.json. */
export function projectVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string }).version;
}

function isOurPackage(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: string }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
