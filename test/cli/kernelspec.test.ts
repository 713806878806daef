import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { installKernelspec, jupyterUserDataDir, kernelspecDir } from "../../lib/cli/kernelspec";
import { KERNEL_NAME_ENV, plotlyBundlePath, plotlyKernelspecFile } from "../../lib/notebook/display";
import { tempDir } from "../helpers/temp";

describe("jupyterUserDataDir(env, platform)", () => {
  it("follows jupyter_core: JUPYTER_DATA_DIR, then XDG on Linux, ~/Library on macOS, APPDATA on Windows", () => {
    assert.equal(jupyterUserDataDir({ JUPYTER_DATA_DIR: "/j", HOME: "/h" }, "linux"), "/j");
    assert.equal(jupyterUserDataDir({ HOME: "/h" }, "linux"), "/h/.local/share/jupyter");
    assert.equal(jupyterUserDataDir({ HOME: "/h", XDG_DATA_HOME: "/x" }, "linux"), "/x/jupyter");
    assert.equal(jupyterUserDataDir({ HOME: "/h" }, "darwin"), "/h/Library/Jupyter");
    assert.equal(jupyterUserDataDir({ HOME: "/h", APPDATA: "C:/A" }, "win32"), join("C:/A", "jupyter"));
  });
});

describe("installKernelspec(options)", () => {
  it("writes a tslab kernel.json that starts this project's tslab with this Node", () => {
    const home = tempDir("home-");
    const dir = installKernelspec({ location: "user", projectRoot: "/p", env: { HOME: home }, platform: "linux" });
    assert.equal(dir, join(home, ".local/share/jupyter/kernels/tslab"));
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    assert.equal(spec.argv[0], process.execPath);
    assert.ok(existsSync(spec.argv[1]) && spec.argv[1].endsWith(join("tslab", "bin", "tslab")));
    assert.deepEqual(spec.argv.slice(2), ["kernel", "--config-path", "{connection_file}"]);
    assert.equal(spec.language, "typescript");
  });
  it("puts plotly.js beside kernel.json and tells the kernel its own name, for figures in saved notebooks", () => {
    const prefix = tempDir("prefix-");
    const dir = installKernelspec({ location: "prefix", prefix, projectRoot: "/p", name: "cvae-x" });
    assert.deepEqual(readFileSync(join(dir, plotlyKernelspecFile())), readFileSync(plotlyBundlePath()));
    assert.match(plotlyKernelspecFile(), /^plotly-\d+\.\d+\.\d+\.min\.js$/);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")).env, { [KERNEL_NAME_ENV]: "cvae-x" });
  });
  it("puts project and prefix installs under share/jupyter/kernels and needs a prefix for 'prefix'", () => {
    assert.equal(kernelspecDir({ location: "project", projectRoot: "/p" }), "/p/.jupyter/share/jupyter/kernels/tslab");
    assert.equal(
      kernelspecDir({ location: "prefix", prefix: "/opt/x", projectRoot: "/p", name: "cvae" }),
      "/opt/x/share/jupyter/kernels/cvae",
    );
    assert.throws(() => kernelspecDir({ location: "prefix", projectRoot: "/p" }), /needs --prefix/);
  });
});
