// `cvae data ...`: synthetic data, GroupLens downloads, preprocessing, listing.
import { checkConditionKind, checkTimeZone, CONDITION_KINDS, scopeOf } from "../data/conditions/conditions";
import type { ConditionKind } from "../data/schema";
import { isSynthName, SYNTH_PRESETS } from "../data/synthetic/synth";
import { defineCommand, noPositionals, UsageError } from "./args";
import { STUDY_SEED } from "../core/rng";

// Loaded when a command runs, not for its --help: the readers, the protocol, the store and the downloader.
const datasets = () => require("../data/datasets") as typeof import("../data/datasets");
const download = () => require("../data/download/download") as typeof import("../data/download/download");
const describeData = () => require("../data/describe") as typeof import("../data/describe");

export const dataSynthCommand = defineCommand({
  name: "data synth",
  usage: `cvae data synth [${Object.keys(SYNTH_PRESETS).join(" | ")}] [--force]`,
  flags: { force: { type: "boolean", help: "rewrite it even if it exists" } },
  plan({ positionals, values }): { preset: string; force: boolean } {
    const preset = positionals[0] ?? "synthetic";
    if (positionals.length > 1) throw new UsageError("cvae data synth: one preset at a time");
    if (!isSynthName(preset))
      throw new UsageError(`cvae data synth: unknown preset "${preset}"; presets: ${Object.keys(SYNTH_PRESETS).join(", ")}`);
    return { preset, force: Boolean(values.force) };
  },
  async execute({ preset, force }) {
    const tty = process.stderr.isTTY;
    const result = await datasets().ensureSynthetic(preset, {
      force,
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
});

export const dataDownloadCommand = defineCommand({
  name: "data download",
  usage: "cvae data download <ml-latest-small | ml-100k | ml-1m | ml-20m | ml-25m> [--force] [--base-url URL]",
  flags: {
    force: { type: "boolean", help: "download again even if it exists" },
    "base-url": { type: "string", help: "mirror to download from (default GroupLens, or $CVAE_MOVIELENS_URL)" },
  },
  plan({ positionals, values }): { name: string; force: boolean; baseUrl: string | undefined } {
    if (positionals.length !== 1) throw new UsageError(`cvae data download: name one data set (${download().MOVIELENS_NAMES.join(", ")})`);
    const baseUrl = values["base-url"];
    if (baseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(baseUrl))
      throw new UsageError(`cvae data download: --base-url must be an http(s) URL, got "${baseUrl}"`);
    return { name: positionals[0], force: Boolean(values.force), baseUrl };
  },
  async execute({ name, force, baseUrl }) {
    const { downloadMovieLens, progressPrinter } = download();
    const result = await downloadMovieLens(name, { force, baseUrl, onProgress: progressPrinter() });
    console.log(
      result.skipped
        ? `${result.folder} exists (use --force to download again)`
        : `downloaded ${result.name} (${(result.zipBytes / 1e6).toFixed(1)} MB, md5 ` +
            `${result.md5}) into ${result.folder} in ${result.seconds.toFixed(1)} s`,
    );
    return 0;
  },
});

export interface PreparePlan {
  source: string;
  name: string | undefined;
  seed: number;
  heldout: number | null;
  conditions: ConditionKind;
  timeZone: string | null;
  /** Replace a set of the same name that was prepared from another source. */
  replace: boolean;
  json: boolean;
}

export const dataPrepareCommand = defineCommand({
  name: "data prepare",
  usage:
    "cvae data prepare [NAME | FOLDER] [--conditions KIND] [--time-zone TZ] [--heldout N] [--seed N] [--name OUT] [--replace] [--json]",
  flags: {
    heldout: {
      type: "integer",
      help: "validation and test users each (0: none, the set cannot be trained)",
      min: 0,
      defaultText: "10 %, or 10,000 above 100k users",
    },
    seed: { type: "integer", help: "seed of the user permutation and splits", default: STUDY_SEED, min: 0, max: 0xffffffff },
    conditions: {
      type: "string",
      help: "what the model is conditioned on: item genres or decades, or the daypart or weekday of each rating",
      choices: CONDITION_KINDS,
      default: "genre",
    },
    "time-zone": { type: "string", help: "IANA time zone of the rating times (daypart, weekday)", defaultText: "UTC" },
    name: {
      type: "string",
      help: "name of the processed data set",
      names: "data set",
      defaultText: "the source's name, with -KIND for kinds other than genre",
    },
    replace: {
      type: "boolean",
      help: "replace a processed set of the same name that was prepared from another source (models trained on it then say so)",
    },
    json: { type: "boolean", help: "print the summary as JSON" },
  },
  plan({ positionals, values }): PreparePlan {
    if (positionals.length > 1) throw new UsageError("cvae data prepare: one data set at a time");
    const conditions = checkConditionKind(values.conditions, "--conditions");
    const timeZone = checkTimeZone(values["time-zone"], "--time-zone");
    if (timeZone !== null && scopeOf(conditions) === "item")
      throw new UsageError(`cvae data prepare: --time-zone applies to --conditions daypart or weekday, not ${conditions}`);
    return {
      source: positionals[0] ?? "synthetic",
      name: values.name,
      seed: values.seed,
      heldout: values.heldout ?? null,
      conditions,
      timeZone,
      replace: values.replace === true,
      json: values.json === true,
    };
  },
  async execute(plan) {
    const { ensureSynthetic, prepareDataset } = datasets();
    if (isSynthName(plan.source)) await ensureSynthetic(plan.source);
    const result = await prepareDataset(plan.source, {
      name: plan.name,
      seed: plan.seed,
      heldout: plan.heldout,
      conditions: plan.conditions,
      timeZone: plan.timeZone,
      replace: plan.replace,
    });
    const ds = result.dataset;
    if (plan.json) {
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
      `${ds.name}: ${result.source.synthetic ? "SYNTHETIC data, " : ""}${ds.summary.items} items, ` +
        `${ds.conditions.labels.length} ${ds.conditions.kind} conditions (${ds.conditions.labels.join(", ")})` +
        (ds.conditions.scope === "interaction" ? ` read in ${ds.conditions.timeZone ?? "UTC"}` : ""),
    );
    for (const { step, users, count, note } of describeData().summaryRows(ds))
      console.log(`  ${step.padEnd(40)} ${String(users).padStart(8)} users ${String(count).padStart(10)}  ${note}`);
    console.log(
      `written to ${result.dir} in ${result.seconds.total.toFixed(2)} s (read ${result.seconds.read.toFixed(2)}, ` +
        `preprocess ${result.seconds.preprocess.toFixed(2)}, save ${result.seconds.save.toFixed(2)})`,
    );
    return 0;
  },
});

export const dataListCommand = defineCommand({
  name: "data list",
  usage: "cvae data list",
  flags: {},
  plan({ positionals }): null {
    noPositionals("data list", positionals);
    return null;
  },
  async execute() {
    const { listProcessed, listRaw } = datasets();
    console.log(`raw:       ${listRaw().join(", ") || "(none)"}`);
    console.log(`processed: ${listProcessed().join(", ") || "(none)"}`);
    return 0;
  },
});
