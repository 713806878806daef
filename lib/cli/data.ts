// `cvae data ...`: synthetic data, GroupLens downloads, preprocessing, listing.
import { downloadMovieLens, progressPrinter } from "../data/download";
import { ensureSynthetic, listProcessed, listRaw, prepareDataset } from "../data/datasets";
import { summaryRows } from "../data/describe";
import { SYNTH_PRESETS } from "../data/synth";
import { UsageError, type Command } from "./args";

export const dataSynthCommand: Command = {
  name: "data synth",
  summary: "write a synthetic MovieLens-like data set (ML-20M CSV layout) to data/raw/<preset>/",
  usage: `cvae data synth [${Object.keys(SYNTH_PRESETS).join(" | ")}] [--force]`,
  flags: { force: { type: "boolean", help: "rewrite it even if it exists" } },
  async run(positionals, flags) {
    const preset = positionals[0] ?? "synthetic";
    if (positionals.length > 1) throw new UsageError("cvae data synth: one preset at a time");
    const tty = process.stderr.isTTY;
    const result = await ensureSynthetic(preset, {
      force: Boolean(flags.force),
      onProgress: (done, total) => {
        if (tty) process.stderr.write(`\r${preset}: ${done}/${total} users`);
      },
    });
    if (tty && result.created) process.stderr.write("\n");
    if (!result.created) {
      console.log(`${result.folder} exists; use --force to rewrite it`);
      return 0;
    }
    const s = result.summary;
    if (s)
      console.log(
        `wrote ${result.folder}: ${s.users} users, ${s.movies} movies (${s.moviesRated} rated), ${s.ratings} ratings, ` +
          `${(100 * s.positiveShare).toFixed(1)} % at 4 stars or more, in ` +
          `${s.seconds.toFixed(1)} s. SYNTHETIC data (see ground-truth.json).`,
      );
    return 0;
  },
};

export const dataDownloadCommand: Command = {
  name: "data download",
  summary: "download a MovieLens data set from GroupLens into data/raw/<name>/ (md5-checked)",
  usage: "cvae data download <ml-latest-small | ml-100k | ml-1m | ml-20m | ml-25m> [--force] [--base-url URL]",
  flags: {
    force: { type: "boolean", help: "download again even if it exists" },
    "base-url": { type: "string", help: "mirror to download from (default GroupLens, or $CVAE_MOVIELENS_URL)" },
  },
  async run(positionals, flags) {
    if (positionals.length !== 1) throw new UsageError("cvae data download: name one data set");
    const result = await downloadMovieLens(positionals[0], {
      force: Boolean(flags.force),
      baseUrl: flags["base-url"] as string | undefined,
      onProgress: progressPrinter(),
    });
    console.log(
      result.skipped
        ? `${result.folder} exists (use --force to download again)`
        : `downloaded ${result.name} (${(result.zipBytes / 1e6).toFixed(1)} MB, md5 ` +
            `${result.md5}) into ${result.folder} in ${result.seconds.toFixed(1)} s`,
    );
    return 0;
  },
};

export const dataPrepareCommand: Command = {
  name: "data prepare",
  summary: "preprocess a data set (Liang et al. protocol) into data/processed/<name>/",
  usage: "cvae data prepare [NAME | FOLDER] [--heldout N] [--seed N] [--name OUT] [--json]",
  flags: {
    heldout: { type: "number", help: "validation and test users each (default: 10 %, or 10,000 above 100k users)" },
    seed: { type: "number", help: "seed of the user permutation and splits", default: 98765 },
    name: { type: "string", help: "name of the processed data set (default: the source's name)" },
    json: { type: "boolean", help: "print the summary as JSON" },
  },
  async run(positionals, flags) {
    const source = positionals[0] ?? "synthetic";
    if (source === "synthetic" || source.startsWith("synthetic-")) await ensureSynthetic(source);
    const result = await prepareDataset(source, {
      name: flags.name as string | undefined,
      seed: Number(flags.seed),
      heldout: flags.heldout === undefined ? null : Number(flags.heldout),
    });
    const ds = result.dataset;
    if (flags.json) {
      console.log(
        JSON.stringify(
          {
            name: ds.name,
            folder: result.dir,
            source: result.source,
            options: ds.options,
            summary: ds.summary,
            warnings: ds.warnings,
            seconds: result.seconds,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    for (const w of ds.warnings) console.log(`warning: ${w}`);
    console.log(
      `${ds.name}: ${result.source.synthetic ? "SYNTHETIC data, " : ""}${ds.summary.items} items, ${ds.genres.length} conditions`,
    );
    for (const { step, users, count, note } of summaryRows(ds))
      console.log(`  ${step.padEnd(40)} ${String(users).padStart(8)} users ${String(count).padStart(10)}  ${note}`);
    console.log(
      `written to ${result.dir} in ${result.seconds.total.toFixed(2)} s (read ${result.seconds.read.toFixed(2)}, ` +
        `preprocess ${result.seconds.preprocess.toFixed(2)}, save ${result.seconds.save.toFixed(2)})`,
    );
    return 0;
  },
};

export const dataListCommand: Command = {
  name: "data list",
  summary: "list raw and processed data sets under data/",
  usage: "cvae data list",
  flags: {},
  async run() {
    console.log(`raw:       ${listRaw().join(", ") || "(none)"}`);
    console.log(`processed: ${listProcessed().join(", ") || "(none)"}`);
    return 0;
  },
};
