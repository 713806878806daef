// Command-line flags on top of node:util parseArgs: unknown flags and bad numbers are
// errors that name the flag, and every command prints the same kind of help.
import { parseArgs } from "node:util";

export type FlagType = "string" | "number" | "boolean" | "strings";

export interface FlagSpec {
  type: FlagType;
  help: string;
  short?: string;
  /** Shown in help; the value used when the flag is absent. */
  default?: string | number | boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  run(positionals: string[], flags: FlagValues): Promise<number>;
}

export class UsageError extends Error {}

export function parseCommandArgs(command: Command, argv: string[]): { positionals: string[]; flags: FlagValues } {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    options[name] = { type: spec.type === "boolean" ? "boolean" : "string", multiple: spec.type === "strings" };
    if (spec.short) options[name].short = spec.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`cvae ${command.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const flags: FlagValues = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    const raw = (parsed.values as Record<string, string | boolean | string[] | undefined>)[name];
    if (raw === undefined) {
      flags[name] = spec.type === "strings" ? [] : spec.default;
      continue;
    }
    if (spec.type === "number") {
      const value = Number(raw);
      if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
        throw new UsageError(`cvae ${command.name}: --${name} expects a number, got "${String(raw)}"`);
      }
      flags[name] = value;
    } else {
      flags[name] = raw;
    }
  }
  return { positionals: parsed.positionals, flags };
}

export function commandHelp(command: Command): string {
  const lines = [`cvae ${command.name}: ${command.summary}`, "", `usage: ${command.usage}`];
  const entries = Object.entries(command.flags);
  if (entries.length) {
    lines.push("", "options:");
    for (const [name, spec] of entries) {
      const value = spec.type === "boolean" ? "" : spec.type === "number" ? " N" : " VALUE";
      const def = spec.default !== undefined ? ` (default ${spec.default})` : "";
      const repeat = spec.type === "strings" ? " (repeatable)" : "";
      lines.push(`  --${name}${value}`.padEnd(28) + spec.help + def + repeat);
    }
  }
  return lines.join("\n");
}
