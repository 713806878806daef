// Notebook tier: every notebook of notebooks/ runs headless through `cvae reproduce`
// (the real tslab kernel), the executed notebooks are valid nbformat 4, and the HTML
// reports really draw their figures in headless Chromium.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { projectRoot } from "../../lib/core/paths";
import { FIGURE_META } from "../../lib/notebook/display";
import { headlineText, NOTEBOOK_NAMES, readRecordedResults } from "../../lib/notebook/results";
import type { Notebook } from "../../lib/runner/ipynb";
import { chromiumAvailable, launchBrowser, openFile } from "../helpers/browser";
import { jupyterMissing, privateJupyterPath, runHelper } from "../helpers/jupyter";
import { writeLayout } from "../helpers/movielens-formats";
import { tempDir } from "../helpers/temp";

const ROOT = projectRoot();
const OUT = tempDir("cvae-reports-");
const DATA = tempDir("cvae-data-");
const ML1M_OUT = tempDir("cvae-ml-1m-reports-");
const ML1M_DATA = tempDir("cvae-ml-1m-data-");
const HOSTILE_FOLDER = "x`<img src=x onerror=alert(7)>`";
const HOSTILE_GENRE = "<img src=x onerror=alert(8)>";
const HOSTILE_TITLE = "<img src=x onerror=alert(9)>";
// Tiny data: 600 synthetic users, an epoch budget of 6 (enough for the C-VAE to beat popularity under
// both protocols there), 300 sampled users (synthetic-tiny has ~480 training users).
const TINY_PARAMS: string[] = [
  "dataset=synthetic-tiny",
  "03-training:epochs=6",
  "06-context-conditions:epochs=6",
  "04-latent-pca:users=300",
  "04-latent-pca:shown=100",
  "05-user-profiling:users=300",
];
// `npm test` runs the study once with small statistics: one model (the seed models' path is unit-tested in
// test/notebook/progress.test.ts and test/train/seeds.test.ts), 20 resamples and the fewest permutations
// allowed. `npm run test:full` (CVAE_TEST_STUDY=full) keeps the notebooks' defaults: three seed models,
// 200 resamples, 200 permutations.
const FULL = process.env.CVAE_TEST_STUDY === "full";
const STUDY_PARAMS: string[] = FULL
  ? TINY_PARAMS
  : [...TINY_PARAMS, "04-latent-pca:seeds=1", "04-latent-pca:resamples=20", "04-latent-pca:permutations=39", "05-user-profiling:seeds=1"];

function cvae(args: string[], data = DATA): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "cvae.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CVAE_DATA_DIR: data },
    timeout: 30 * 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The results a notebook recorded in <data>/metrics/<notebook>.json. */
function metricsOf(name: string, data = DATA): Record<string, number | string | boolean | null> {
  return (
    JSON.parse(readFileSync(join(data, "metrics", `${name}.json`), "utf8")) as { results: Record<string, number | string | boolean | null> }
  ).results;
}

const nb = (name: string) => join(ROOT, "notebooks", name);

function figuresIn(nb: Notebook): number {
  let n = 0;
  for (const c of nb.cells)
    if (c.cell_type === "code") for (const o of c.outputs) if (o.output_type === "display_data" && o.metadata[FIGURE_META] === true) n++;
  return n;
}

const notebooks = readdirSync(join(ROOT, "notebooks"))
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

describe(`npm run reproduce on the project's notebooks (${FULL ? "the notebooks' default statistics" : "small statistics"})`, () => {
  let run: { status: number | null; stdout: string; stderr: string };
  before(() => {
    run = cvae(["reproduce", "--out", OUT, ...STUDY_PARAMS.flatMap((p) => ["--param", p])]);
  });

  it("runs every notebook to the end and exits 0, printing per-cell and per-notebook times", () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    for (const nb of notebooks)
      assert.match(run.stdout, new RegExp(`${nb.replace(".ipynb", "")}: ok, \\d+ code cells?, \\d+ figures?, \\d+\\.\\d s`));
    assert.match(run.stdout, /\[ 1\/\d+\] +\d+\.\d\d s/);
    assert.match(run.stdout, new RegExp(`reproduced: ${notebooks.length}/${notebooks.length} notebooks`));
  });

  it("writes executed notebooks with outputs, each with at least one figure", () => {
    for (const name of notebooks) {
      const nb = JSON.parse(readFileSync(join(OUT, name), "utf8")) as Notebook;
      const code = nb.cells.filter((c) => c.cell_type === "code");
      assert.ok(
        code.every((c) => c.cell_type === "code" && c.execution_count !== null),
        `${name}: every cell ran`,
      );
      assert.ok(figuresIn(nb) >= 1, `${name}: has a figure`);
    }
  });

  it("records each notebook's headline numbers in data/metrics/, within the ranges a healthy run gives", () => {
    const results = (name: string) => metricsOf(name);
    const num = (r: Record<string, unknown>, key: string) => {
      assert.equal(typeof r[key], "number", `${key} is a number`);
      return r[key] as number;
    };
    // 01: synthetic-tiny has 600 users; 10 % of the kept users are held out per split.
    const prep = results("01-preprocessing");
    assert.equal(prep.dataset, "synthetic-tiny");
    assert.equal(prep.synthetic, true);
    assert.ok(num(prep, "users") > 500 && num(prep, "users") <= 600, `users ${prep.users}`);
    assert.equal(num(prep, "heldout_per_split"), Math.round(0.1 * num(prep, "users")));
    assert.equal(num(prep, "train_users") + 2 * num(prep, "heldout_per_split"), num(prep, "users"));
    assert.ok(num(prep, "conditions") >= 18 && num(prep, "conditions") <= 20, `conditions ${prep.conditions}`);
    // 02: the catalogue follows ML-20M's genre frequencies: Drama and Comedy lead.
    const genres = results("02-genre-statistics");
    assert.equal(genres.top_genres, "Drama, Comedy");
    assert.ok(num(genres, "mean_cu") >= 1 && num(genres, "mean_cu") <= num(prep, "conditions"));
    // 03: a trained model beats popularity under both protocols, and conditioning moves the lists.
    const training = results("03-training");
    assert.equal(num(training, "epochs"), 6);
    assert.ok(
      num(training, "test_ndcg100_unconditioned") > 1.5 * num(training, "popularity_ndcg100_unconditioned"),
      JSON.stringify(training),
    );
    assert.ok(num(training, "test_ndcg100_conditioned") > num(training, "popularity_ndcg100_conditioned"), JSON.stringify(training));
    assert.ok(num(training, "genre_share_mean") >= 0.5, `genre share ${training.genre_share_mean}`);
    // 04: every latent row is there and every claim has both verdicts (true, false or null = not applicable).
    const pca = results("04-latent-pca");
    assert.equal(num(pca, "latents"), 300 * (num(prep, "conditions") + 1));
    assert.ok(num(pca, "pc1_to_pc5_variance") > 0 && num(pca, "pc1_to_pc5_variance") <= 1);
    assert.equal(pca.claim_seeds, FULL ? 3 : 1, "the claims were measured over as many seed models as asked for");
    for (const id of ["a", "b", "c1", "c2", "c3", "d", "e", "f", "g1", "g2"]) {
      for (const space of ["latent", "plane"]) {
        const v = pca[`claim_${id}_${space}`];
        assert.ok(v === true || v === false || v === null, `claim_${id}_${space} = ${JSON.stringify(v)}`);
      }
    }
    // 05: the light <-> serious position follows the history. (Overlap@3 with the watched genres is only
    // range-checked: on synthetic-tiny it falls below the popularity baseline after 6 epochs, 0.30 vs 0.53,
    // while the default data give 0.65 vs 0.48; issue 12 puts uncertainty on such verdicts.)
    const profiles = results("05-user-profiling");
    for (const key of ["overlap_at3_profile", "overlap_at3_popularity"]) assert.ok(num(profiles, key) >= 0 && num(profiles, key) <= 1, key);
    assert.ok(num(profiles, "serious_axis_spearman") > 0.5, JSON.stringify(profiles));
    // 06: a daypart model of the same data recovers the planted context effect: its lists' genre lift
    // follows the planted one, and the data's lift shows the generator planted what it says.
    const context = results("06-context-conditions");
    assert.deepEqual(
      [context.dataset, context.conditions, context.labels],
      ["synthetic-tiny-daypart", "daypart", "night,morning,afternoon,evening"],
    );
    assert.ok(num(context, "lift_spearman_data_vs_planted") > 0.9, JSON.stringify(context));
    assert.ok(num(context, "lift_spearman_model_vs_planted") > 0.7, JSON.stringify(context));
    assert.ok(num(context, "lift_null_p") <= 0.01, JSON.stringify(context));
    for (const id of ["b", "c1", "c2", "c3", "e"]) assert.equal(context[`claim_${id}_latent`], null, `claim ${id} is about named genres`);
    assert.equal(typeof context.claim_a_latent, "boolean");
    // Each record reads back as its notebook's typed results (lib/notebook/results.ts), as the report index reads it.
    for (const name of NOTEBOOK_NAMES) {
      const record = readRecordedResults(JSON.parse(readFileSync(join(DATA, "metrics", `${name}.json`), "utf8")));
      assert.equal(record.notebook, name);
      assert.match(headlineText(record), /^synthetic-tiny(-daypart)? \(SYNTHETIC\); /, name);
    }
  });

  // The whole study on every real layout is test:full's (formats.fulltest.ts). Here the layout least like the
  // synthetic default (".dat" files, Latin-1, "Children's", no IMAX, no "(no genres listed)") goes through the
  // notebooks that read raw files, as a user runs them on a download; its folder name, one genre and some
  // titles are HTML, which the reports must show as text (checked in Chromium below).
  it("runs notebooks 01 and 02 on an ML-1M folder (with a hostile name, genre and titles) as real data, with no IMAX", async () => {
    const folder = await writeLayout(join(tempDir("cvae-ml-1m-"), HOSTILE_FOLDER), "ml-1m");
    const movies = readFileSync(join(folder, "movies.dat"), "latin1").trimEnd().split("\n");
    const hostile = movies.map((line, i) => {
      if (i % 5 !== 1) return line;
      const [id, title, genres] = line.split("::");
      return [id, `${HOSTILE_TITLE} ${title}`, `${HOSTILE_GENRE}|${genres}`].join("::");
    });
    writeFileSync(join(folder, "movies.dat"), Buffer.from(hostile.join("\n") + "\n", "latin1"));
    const r = cvae(
      ["reproduce", nb("01-preprocessing.ipynb"), nb("02-genre-statistics.ipynb"), "--out", ML1M_OUT, "--param", `dataset=${folder}`],
      ML1M_DATA,
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /reproduced: 2\/2 notebooks/);
    const prep = metricsOf("01-preprocessing", ML1M_DATA);
    const genres = metricsOf("02-genre-statistics", ML1M_DATA);
    const name = "x-img-src-x-onerror-alert-7"; // the processed set's plain name for the folder
    assert.deepEqual([prep.dataset, prep.synthetic, genres.dataset, genres.synthetic], [name, false, name, false]);
    assert.equal(genres.imax_movies, 0, "ML-1M has no IMAX label");
  });

  it("writes notebooks that nbformat validates as version 4", (t) => {
    const missing = jupyterMissing();
    if (missing) return t.skip(missing);
    const r = runHelper(["validate", ...notebooks.map((n) => join(OUT, n))], privateJupyterPath());
    assert.equal(r.status, 0, JSON.stringify(r.result) + r.stderr);
    assert.equal(r.result.checked, notebooks.length);
  });

  describe("the HTML reports in headless Chromium", () => {
    let browser: Browser;
    before(async () => {
      if (chromiumAvailable()) browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
    });

    /**
     * Opens each notebook's page in `dir`: one drawn Plotly plot per figure output, no page errors, no dialog;
     * `more` checks the open page further.
     */
    async function expectFiguresDrawn(dir: string, names: string[], more?: (page: Page, name: string) => Promise<void>): Promise<void> {
      for (const name of names) {
        const nb = JSON.parse(readFileSync(join(dir, name), "utf8")) as Notebook;
        const { page, pageErrors, dialogs } = await openFile(browser, join(dir, name.replace(".ipynb", ".html")));
        const drawn = await page.locator(".cvae-figure .main-svg").count();
        const plots = await page.locator(".cvae-figure.js-plotly-plot").count();
        assert.equal(plots, figuresIn(nb), `${name}: one Plotly plot per figure`);
        assert.ok(drawn >= plots, `${name}: every plot has an SVG`);
        await more?.(page, name);
        assert.deepEqual(pageErrors, [], `${name}: page errors`);
        assert.deepEqual(dialogs, [], `${name}: no alert ran`);
        await page.close();
      }
    }

    const drawAll = "draw every figure of every notebook and of 01-02 on ML-1M, without page errors; ML-1M's hostile text shows as text";
    it(drawAll, async (t) => {
      if (!chromiumAvailable()) return t.skip("chromium is not installed (apt install chromium)");
      await expectFiguresDrawn(OUT, notebooks);
      await expectFiguresDrawn(ML1M_OUT, ["01-preprocessing.ipynb", "02-genre-statistics.ipynb"], async (page, name) => {
        await page.waitForTimeout(300); // an injected handler would have fired by now
        assert.equal(await page.locator('img[src="x"]').count(), 0, `${name}: no <img> was created from data`);
        const text = (await page.locator("body").textContent()) ?? "";
        assert.ok(text.includes(name.startsWith("01") ? HOSTILE_FOLDER : HOSTILE_GENRE), `${name} shows the data as text`);
      });
      const index = await openFile(browser, join(OUT, "index.html"));
      assert.equal(await index.page.locator("td.ok").count(), notebooks.length);
      const recorded = await index.page.locator("td.results", { hasText: /synthetic-tiny(-daypart)? \(SYNTHETIC\)/ }).count();
      assert.equal(recorded, notebooks.length, "each row shows its recorded results");
    });

    it("show a hostile movie title as text and run nothing (fixture notebook)", async (t) => {
      if (!chromiumAvailable()) return t.skip("chromium is not installed (apt install chromium)");
      const out = tempDir("cvae-xss-");
      const r = cvae(["reproduce", join(ROOT, "test", "fixtures", "notebooks", "ok.ipynb"), "--out", out]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const { page, dialogs, pageErrors } = await openFile(browser, join(out, "ok.html"));
      await page.waitForTimeout(300);
      assert.deepEqual(dialogs, [], "no alert ran");
      assert.deepEqual(pageErrors, []);
      assert.equal(await page.locator('img[src="x"]').count(), 0, "no <img> was created from data");
      assert.equal(await page.locator(".scatterlayer .point").count(), 3, "the scatter drew its 3 points");
      assert.equal(await page.locator("table.cvae-table td", { hasText: "<img src=x onerror=alert(1)>" }).count(), 1);
      assert.equal(
        await page.locator(".gtitle", { hasText: "<img src=x onerror=alert(1)>" }).count(),
        1,
        "the figure title shows the text literally",
      );
    });
  });
});
