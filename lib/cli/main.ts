// `cvae <command>`: scripted access to the same lib functions the notebooks call.
// The table below names every command without importing it: a command's module (and what it
// pulls in: tfjs, zeromq, the model) loads only when that command runs, so `cvae --help` and
// the data commands start at once.
import { describeOsError, isOsError } from "../core/fs-errors";
import { closestFlags, type Command, commandHelp, parseCommandArgs, UsageError } from "./args";

export interface CommandEntry {
  name: string;
  summary: string;
  /**
   * The command's module, loaded on first use. With require, not import(): under tsx's CommonJS
   * loader (bin/cvae.js) import() would load a second, ESM copy of lib/ with its own state.
   */
  load(): Command;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "reproduce",
    summary: "run the notebooks headless in the tslab kernel; write reports/ (ipynb + HTML)",
    load: () => (require("./notebooks") as typeof import("./notebooks")).reproduceCommand,
  },
  {
    name: "notebooks clean",
    summary: "strip outputs and run-time metadata from notebooks before committing (default notebooks/)",
    load: () => (require("./notebooks") as typeof import("./notebooks")).notebooksCleanCommand,
  },
  {
    name: "data synth",
    summary: "write a synthetic MovieLens-like data set (ML-20M CSV layout) to data/raw/<preset>/",
    load: () => (require("./data") as typeof import("./data")).dataSynthCommand,
  },
  {
    name: "data download",
    summary: "download a MovieLens data set from GroupLens into data/raw/<name>/ (md5-checked)",
    load: () => (require("./data") as typeof import("./data")).dataDownloadCommand,
  },
  {
    name: "data prepare",
    summary: "preprocess a data set (Liang et al. protocol) into data/processed/<name>/",
    load: () => (require("./data") as typeof import("./data")).dataPrepareCommand,
  },
  {
    name: "data list",
    summary: "list raw and processed data sets under data/",
    load: () => (require("./data") as typeof import("./data")).dataListCommand,
  },
  {
    name: "train",
    summary: "train a C-VAE (or Mult-VAE) with checkpoints; evaluates on test users at the end",
    load: () => (require("./model") as typeof import("./model")).trainCommand,
  },
  {
    name: "evaluate",
    summary: "evaluate a trained model and the popularity baseline on test (or validation) users",
    load: () => (require("./model") as typeof import("./model")).evaluateCommand,
  },
  {
    name: "recommend",
    summary: "top-n movies for a held-out user's fold-in history, optionally under a condition (a genre, decade, daypart...)",
    load: () => (require("./model") as typeof import("./model")).recommendCommand,
  },
  {
    name: "explore",
    summary: "encode sampled users under every condition, fit the PCAs, measure the paper's claims",
    load: () => (require("./analysis") as typeof import("./analysis")).exploreCommand,
  },
  {
    name: "profile",
    summary: "profiles from the latent space: agreement with what users watched, and one user's card",
    load: () => (require("./analysis") as typeof import("./analysis")).profileCommand,
  },
  {
    name: "kernel",
    summary: "register the tslab kernel with Jupyter (per user by default)",
    load: () => (require("./notebooks") as typeof import("./notebooks")).kernelCommand,
  },
  {
    name: "backend",
    summary: "show which backend loads here: native TensorFlow, native BLAS, wasm or cpu (CVAE_BACKEND to force one)",
    load: () => (require("./backend") as typeof import("./backend")).backendCommand,
  },
];

/** The command called `name` ("data prepare"), loaded; throws on an unknown name. */
export function loadCommand(name: string): Command {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no command "${name}"`);
  return entry.load();
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "cvae: the cvae-lens command line (C-VAE latent-space study on MovieLens)",
    "",
    "usage: cvae <command> [options]     cvae <command> --help",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${"bench".padEnd(width)}benchmarks (bench/, a development tool): cvae bench [SUITE [ARGS...]]`,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  // Two-word commands ("data prepare") first, then one-word ones.
  const twoWord = COMMANDS.find((c) => argv.length >= 2 && c.name === `${argv[0]} ${argv[1]}`);
  const name = twoWord ? twoWord.name : argv[0];
  const rest = argv.slice(twoWord ? 2 : 1);
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = twoWord ?? COMMANDS.find((c) => c.name === name);
  const group = COMMANDS.filter((c) => c.name.startsWith(`${name} `));
  if (!entry && group.length) return groupUsage(name, group, rest[0]);
  if (!entry) {
    console.error(`cvae: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(command, entry.summary));
    return 0;
  }
  try {
    const plan = await command.plan(parseCommandArgs(command, rest));
    return await command.execute(plan);
  } catch (err) {
    if (err instanceof UsageError) {
      // One line that names the flag and what is wrong with it; the help is one --help away.
      console.error(err.message);
      return 2;
    }
    console.error(`cvae ${name}: ${errorText(err)}`);
    if (process.env.CVAE_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
}

/**
 * `cvae data [WORD]`, a group of commands without a subcommand it has: `--help` lists them on
 * stdout (exit 0); an unknown subcommand is named, with the closest ones ("did you mean"), and
 * no word or a flag asks for one, each followed by the list on stderr (exit 2).
 */
function groupUsage(name: string, group: CommandEntry[], word: string | undefined): number {
  const width = Math.max(...group.map((c) => c.name.length)) + 2;
  const list = group.map((c) => `  cvae ${c.name.padEnd(width)}${c.summary}`).join("\n");
  if (word === "--help" || word === "-h" || word === "help") {
    console.log(`usage: cvae ${name} <subcommand> [options]     cvae ${name} <subcommand> --help\n\nsubcommands:\n${list}`);
    return 0;
  }
  if (word === undefined || word.startsWith("-")) {
    console.error(`cvae ${name}: name a subcommand:\n${list}`);
    return 2;
  }
  const subcommands = group.map((c) => c.name.slice(name.length + 1));
  const guesses = closestFlags(word, subcommands);
  const guess = guesses.length ? `; did you mean ${guesses.map((g) => `"${g}"`).join(" or ")}?` : "";
  console.error(`cvae ${name}: unknown subcommand "${word}"${guess}\n${list}`);
  return 2;
}

/**
 * The message of an error a command threw. A raw operating-system error ("EISDIR: illegal operation on a
 * directory, read") becomes a sentence naming its file; the commands name what was expected where they know.
 */
export function errorText(err: unknown): string {
  if (isOsError(err)) return describeOsError(err);
  return err instanceof Error ? err.message : String(err);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
