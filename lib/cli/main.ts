// `cvae <command>`: scripted access to the same lib functions the notebooks call.
import { commandHelp, parseCommandArgs, UsageError, type Command } from "./args";
import { backendCommand, kernelCommand, notebooksCleanCommand, reproduceCommand } from "./commands";
import { dataDownloadCommand, dataListCommand, dataPrepareCommand, dataSynthCommand } from "./data";
import { exploreCommand, profileCommand } from "./analysis";
import { evaluateCommand, recommendCommand, trainCommand } from "./model";

export const COMMANDS: Command[] = [
  reproduceCommand,
  notebooksCleanCommand,
  dataSynthCommand,
  dataDownloadCommand,
  dataPrepareCommand,
  dataListCommand,
  trainCommand,
  evaluateCommand,
  recommendCommand,
  exploreCommand,
  profileCommand,
  kernelCommand,
  backendCommand,
];

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
  const command = twoWord ?? COMMANDS.find((c) => c.name === name);
  const group = COMMANDS.filter((c) => c.name.startsWith(`${name} `));
  if (!command && group.length) {
    console.error(`cvae ${name}: name a subcommand:\n${group.map((c) => `  cvae ${c.name.padEnd(16)}${c.summary}`).join("\n")}`);
    return 2;
  }
  if (!command) {
    console.error(`cvae: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    const plan = await command.plan(parseCommandArgs(command, rest));
    return await command.execute(plan);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    console.error(`cvae ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.CVAE_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
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
