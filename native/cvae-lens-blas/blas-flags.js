// Prints the linker flag of the BLAS to build against (binding.gyp runs it on Linux):
// OpenBLAS itself when its development library is installed (so its thread control is
// reachable), else the system's generic -lblas (Debian's alternatives, or the reference BLAS).
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync } = require("node:fs");

function hasOpenblas() {
  if (process.env.CVAE_BLAS_LIB) return false;
  try {
    const cache = execFileSync("ldconfig", ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    if (/\blibopenblas\.so\s/.test(cache)) return true;
  } catch {
    // no ldconfig: look in the usual places
  }
  return ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"].some((d) =>
    existsSync(`${d}/libopenblas.so`),
  );
}

process.stdout.write(process.env.CVAE_BLAS_LIB ? `-l${process.env.CVAE_BLAS_LIB}` : hasOpenblas() ? "-lopenblas" : "-lblas");
