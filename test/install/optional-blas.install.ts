// `npm ci` on a machine where the optional BLAS binding cannot build (no compiler; or a
// compiler but no BLAS library) must still succeed, and the project must then fall back to
// wasm and say why. Each case installs a copy of the project from npm's cache (offline).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { tempDir } from "../helpers/temp";

const ROOT = resolve(__dirname, "..", "..");
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of what `npm ci` and the backend need: the manifests, the binding's sources, lib/. */
function projectCopy(): string {
  const dir = tempDir("cvae-install-");
  made.push(dir);
  for (const f of ["package.json", "package-lock.json", "tsconfig.json"]) cpSync(join(ROOT, f), join(dir, f));
  cpSync(join(ROOT, "lib"), join(dir, "lib"), { recursive: true });
  cpSync(join(ROOT, "native"), join(dir, "native"), {
    recursive: true,
    filter: (src) => !src.includes(`${join("cvae-lens-blas", "build")}`),
  });
  return dir;
}

/** A folder of stand-ins for the C/C++ toolchain that fail as a missing one does. */
function noCompiler(): string {
  const dir = tempDir("cvae-nocc-");
  made.push(dir);
  for (const tool of ["cc", "gcc", "c++", "g++", "make", "clang", "clang++"]) {
    const path = join(dir, tool);
    writeFileSync(path, `#!/bin/sh\necho "${tool}: not installed (test stand-in)" >&2\nexit 127\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

function npmCi(dir: string, env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const r = spawnSync("npm", ["ci", "--offline", "--no-audit", "--no-fund"], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** The backend the copy picks, as its one-line summary. */
function backendLine(dir: string): string {
  const code =
    'require("./lib/model/backend").initBackend().then(() => {}, (e) => { console.log("ERROR " + e.message); process.exit(1); })';
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
    cwd: dir,
    env: { ...process.env, CVAE_BACKEND: "" },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout.trim();
}

describe("npm ci where the BLAS binding cannot build", () => {
  it("succeeds without a compiler, leaves the binding out, and the backend falls back to wasm saying why", () => {
    const dir = projectCopy();
    const r = npmCi(dir, { PATH: `${noCompiler()}:${process.env.PATH}` });
    assert.equal(r.status, 0, r.output.slice(-3000));
    assert.ok(existsSync(join(dir, "node_modules", "tsx")), "the other dependencies are installed");
    assert.ok(!existsSync(join(dir, "node_modules", "cvae-lens-blas")), "the failed optional binding is removed");
    const line = backendLine(dir);
    assert.match(line, /^tfjs [\d.]+ backend: wasm \(@tensorflow\/tfjs-backend-wasm, SIMD on, 1 thread\); skipped: /);
    assert.match(line, /blas: the cvae-lens-blas binding did not load/);
  });

  it("succeeds with a compiler but no BLAS library to link, and falls back the same way", () => {
    const dir = projectCopy();
    // blas-flags.js links what CVAE_BLAS_LIB names: a library that does not exist stands for a missing BLAS.
    const r = npmCi(dir, { CVAE_BLAS_LIB: "no-such-blas-library" });
    assert.equal(r.status, 0, r.output.slice(-3000));
    assert.ok(!existsSync(join(dir, "node_modules", "cvae-lens-blas")));
    assert.match(backendLine(dir), /backend: wasm .*blas: the cvae-lens-blas binding did not load/);
  });
});
