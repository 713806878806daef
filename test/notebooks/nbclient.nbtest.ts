// The notebooks also run in Jupyter itself: one is executed by Jupyter's nbclient with
// the tslab kernel (kernelspec written by `cvae kernel --prefix`) and its outputs checked.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectRoot } from "../../lib/core/paths";
import { jupyterMissing, privateJupyterPath, runHelper } from "../helpers/jupyter";
import { tempDir } from "../helpers/temp";

describe("Jupyter nbclient with the tslab kernel", () => {
  it("executes notebooks/01-preprocessing.ipynb (tiny synthetic data) and keeps its text, figure and table outputs", (t) => {
    const missing = jupyterMissing();
    if (missing) return t.skip(missing);
    const out = join(tempDir("nbclient-"), "01-preprocessing.ipynb");
    // The kernel inherits these: its own data folder, and the parameters cell's overrides.
    process.env.CVAE_DATA_DIR = tempDir("nbclient-data-");
    process.env.CVAE_NB_PARAMS = JSON.stringify({ dataset: "synthetic-tiny" });
    const r = runHelper(["execute", join(projectRoot(), "notebooks", "01-preprocessing.ipynb"), out], privateJupyterPath());
    delete process.env.CVAE_NB_PARAMS;
    assert.equal(r.status, 0, JSON.stringify(r.result) + r.stderr);
    assert.equal(r.result.ok, true);
    assert.ok((r.result.output_types as string[]).includes("display_data"));
    assert.ok((r.result.output_types as string[]).includes("stream"));
    for (const mime of ["text/html", "text/plain", "text/markdown"]) assert.ok((r.result.mime_types as string[]).includes(mime), mime);
    // Figures are text/html bundles marked in their metadata (no Plotly mimetype: the data is stored once).
    assert.equal(r.result.figures, 3, "notebook 01 shows three figures");
    assert.ok(!(r.result.mime_types as string[]).includes("application/vnd.plotly.v1+json"));
    assert.match(String(r.result.text), /backend: (tensorflow|blas|wasm) /);
    assert.match(String(r.result.text), /dataset = "synthetic-tiny" {3}\(overridden/);
  });
});
