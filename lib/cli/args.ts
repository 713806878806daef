// Command-line flags on top of node:util parseArgs. Every value is checked where it is
// read: numbers are plain decimals (no "0x10", no "1e3" for an integer), integers and
// ranges are enforced, choices and names are validated, and errors name the flag. A
// command sees only the flags the user typed (`given`) apart from the defaults it uses
// (`values`), so a default can never override a value from a config file.
import { parseArgs } from "node:util";
import { decimalProblem, type Field, type FieldTable, flagOf } from "../core/fields";
import { checkName, type NameKind } from "../core/names";

export type FlagType = "string" | "number" | "integer" | "boolean" | "strings";

export interface FlagSpec {
  type: FlagType;
  help: string;
  short?: string;
  /** The value the command uses when the flag is absent (shown in help). */
  default?: string | number | boolean;
  /** Shown in help when the default comes from elsewhere (e.g. "the run's config, else 100"). */
  defaultText?: string;
  /** Inclusive bounds of a number or integer. */
  min?: number;
  /** The value must be greater than this (e.g. 0 for a learning rate). */
  above?: number;
  max?: number;
  /** The value must be less than this (e.g. 1 for a dropout rate). */
  below?: number;
  /** The values a string flag accepts. */
  choices?: readonly string[];
  /** A string that names a folder of the project (data set, run): checked by checkName. */
  names?: NameKind;
}

export type FlagValue = string | number | boolean | string[];
export type FlagValues = Record<string, FlagValue | undefined>;
export type Flags = Record<string, FlagSpec>;

/** The value a flag's spec reads: a number, a boolean, a list, one of its choices, or a string. */
export type ValueOf<S extends FlagSpec> = FlagType extends S["type"]
  ? FlagValue // a spec whose type is not known (Command's default)
  : S["type"] extends "boolean"
    ? boolean
    : S["type"] extends "number" | "integer"
      ? number
      : S["type"] extends "strings"
        ? string[]
        : S extends { choices: readonly (infer C)[] }
          ? C
          : string;

/** The flags the user typed, each typed as its spec reads it. */
export type GivenOf<F extends Flags> = { [K in keyof F]?: ValueOf<F[K]> };
/** The typed flags plus the defaults: a flag with a default (or a list, or a switch) always has a value. */
export type ValuesOf<F extends Flags> = {
  [K in keyof F]: F[K] extends { default: unknown } | { type: "strings" } ? ValueOf<F[K]> : ValueOf<F[K]> | undefined;
};

export interface ParsedArgs<F extends Flags = Flags> {
  positionals: string[];
  /** Only the flags the user typed, checked and typed. */
  given: GivenOf<F>;
  /** The typed flags plus the defaults of the others. */
  values: ValuesOf<F>;
}

export interface Command<P = unknown, F extends Flags = Flags> {
  name: string;
  usage: string;
  flags: F;
  /** What the command will do, from its arguments: no side effects beyond reading files. */
  plan(args: ParsedArgs<F>): P | Promise<P>;
  execute(plan: P): Promise<number>;
}

/** A command whose plan sees its flags' values typed from their specs (choices as unions, numbers as numbers). */
export function defineCommand<P, const F extends Flags>(command: Command<P, F>): Command<P, F> {
  return command;
}

export class UsageError extends Error {}

/** Reads one flag value as its spec says; throws a UsageError naming the flag. */
export function parseFlagValue(command: string, name: string, spec: FlagSpec, raw: string | boolean | string[]): FlagValue {
  const fail = (what: string): never => {
    throw new UsageError(`cvae ${command}: --${name} ${what}, got ${JSON.stringify(raw)}`);
  };
  switch (spec.type) {
    case "boolean":
      return raw as boolean;
    case "strings":
      if ((raw as string[]).some((v) => v.trim() === "")) fail("needs a value each time it is given (one was empty)");
      return raw as string[];
    case "number":
    case "integer": {
      const text = String(raw).trim();
      const problem = decimalProblem(text, spec.type === "integer");
      if (problem) fail(problem);
      const value = Number(text);
      if (!Number.isFinite(value)) fail("expects a finite number");
      if (spec.min !== undefined && value < spec.min) fail(`must be at least ${spec.min}`);
      if (spec.above !== undefined && !(value > spec.above)) fail(`must be greater than ${spec.above}`);
      if (spec.max !== undefined && value > spec.max) fail(`must be at most ${spec.max}`);
      if (spec.below !== undefined && !(value < spec.below)) fail(`must be less than ${spec.below}`);
      return value;
    }
    case "string": {
      const text = raw as string;
      // `--config=` or `--name " "` names nothing: an error, never the default in disguise.
      if (text.trim() === "") fail("needs a value (it was empty)");
      if (spec.choices && !spec.choices.includes(text)) fail(`must be one of ${spec.choices.join(", ")}`);
      if (spec.names) {
        try {
          checkName(text, spec.names);
        } catch (err) {
          throw new UsageError(`cvae ${command}: --${name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return text;
    }
    default:
      throw new Error(`unknown flag type ${String(spec.type)}`);
  }
}

type ParseOptions = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

export function parseCommandArgs<F extends Flags>(command: Pick<Command<unknown, F>, "name" | "flags">, argv: string[]): ParsedArgs<F> {
  const options: ParseOptions = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    options[name] = { type: spec.type === "boolean" ? "boolean" : "string", multiple: spec.type === "strings" };
    if (spec.short) options[name].short = spec.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashedValues(command, argv, options), allowPositionals: true, options, strict: true });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw unknownFlag(command, argv, options);
    // Node's messages can span lines; a usage error is one line.
    throw new UsageError(`cvae ${command.name}: ${(err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ")}`);
  }
  const given: FlagValues = {};
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    const raw = (parsed.values as Record<string, string | boolean | string[] | undefined>)[name];
    if (raw === undefined) {
      values[name] = spec.type === "strings" ? [] : spec.default;
      continue;
    }
    given[name] = values[name] = parseFlagValue(command.name, name, spec, raw);
  }
  return { positionals: parsed.positionals, given: given as GivenOf<F>, values: values as ValuesOf<F> };
}

/** A word that starts with a dash and a digit or a point ("-1", "-0.5", "-.5"): a negative number, never a flag. */
const NEGATIVE = /^-\.?\d/;

/**
 * `argv` with a negative number given as the next word of a flag that takes a value joined to it
 * (`--seed -1` becomes `--seed=-1`), so that the value reaches parseFlagValue and its range check.
 * Node's parseArgs refuses any value that starts with a dash ("Option '--seed' argument is
 * ambiguous. Did you forget..."): a flag whose next word is another flag (`--run --json`) or that
 * ends the line, and a switch given a value (`--json=1`), throw a one-line UsageError naming the
 * flag instead. Stops at the first flag the command does not have, which parseArgs reports.
 */
function joinDashedValues(command: Pick<Command, "name" | "flags">, argv: string[], options: ParseOptions): string[] {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const shorts = new Set(Object.values(command.flags).flatMap((f) => (f.short ? [f.short] : [])));
  const joined = new Map<number, string>();
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const known = t.rawName.startsWith("--") ? t.name in command.flags : shorts.has(t.rawName.slice(1));
    if (!known) break;
    const flag = `cvae ${command.name}: --${t.name}`;
    if (command.flags[t.name].type === "boolean") {
      if (t.inlineValue) throw new UsageError(`${flag} is a switch and takes no value, got ${JSON.stringify(t.value)}`);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`${flag} needs a value`);
    if (t.inlineValue || !t.value.startsWith("-")) continue;
    if (!NEGATIVE.test(t.value)) {
      const hint = `a value that starts with "-" is written --${t.name}=VALUE`;
      throw new UsageError(`${flag} needs a value, got ${JSON.stringify(t.value)}, which reads as a flag (${hint})`);
    }
    // (Not inside a group of short flags, "-ab -1": parseArgs reports that one.)
    if (argv[t.index] === t.rawName) joined.set(t.index, `--${t.name}=${t.value}`);
  }
  return argv.flatMap((word, i) => (joined.has(i - 1) ? [] : [joined.get(i) ?? word]));
}

/**
 * The usage error for the first flag in `argv` that the command does not have: one line with
 * the closest flag, if one is close ("unknown flag --latnet; did you mean --latent?"), and where
 * the flags are listed. (Node's own message suggests "--" for a positional and drops a quote.)
 */
function unknownFlag(command: Pick<Command, "name" | "flags">, argv: string[], options: ParseOptions): UsageError {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const shorts = new Set(Object.values(command.flags).flatMap((f) => (f.short ? [f.short] : [])));
  const unknown = tokens.find(
    (t) => t.kind === "option" && (t.rawName.startsWith("--") ? !(t.name in command.flags) : !shorts.has(t.name)),
  );
  const raw = unknown?.kind === "option" ? unknown.rawName : "?";
  const guesses = raw.startsWith("--") ? closestFlags(raw.slice(2), Object.keys(command.flags)) : [];
  const guess = guesses.length ? `; did you mean ${guesses.map((g) => `--${g}`).join(" or ")}?` : "";
  return new UsageError(`cvae ${command.name}: unknown flag ${raw}${guess} (cvae ${command.name} --help lists them)`);
}

/**
 * The flags a mistyped `name` most likely meant: those within a small edit distance (a swapped
 * pair of letters counts as one edit), else those it begins ("batch" for "batch-size"); [] when
 * none is close.
 */
export function closestFlags(name: string, flags: readonly string[]): string[] {
  const typed = name.toLowerCase();
  const limit = typed.length <= 4 ? 1 : 2;
  const scored = flags.map((f) => ({ f, d: editDistance(typed, f.toLowerCase()) })).filter((x) => x.d <= limit);
  if (scored.length) {
    const best = Math.min(...scored.map((x) => x.d));
    return scored.filter((x) => x.d === best).map((x) => x.f);
  }
  return typed.length >= 3 ? flags.filter((f) => f.toLowerCase().startsWith(typed)) : [];
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `cvae NAME --help`: the summary (from the command table, which lists commands without loading them), usage and flags. */
export function commandHelp(command: Pick<Command, "name" | "usage" | "flags">, summary: string): string {
  const lines = [`cvae ${command.name}: ${summary}`, "", `usage: ${command.usage}`];
  const entries = Object.entries(command.flags);
  if (entries.length) {
    lines.push("", "options:");
    for (const [name, spec] of entries) {
      const value = spec.type === "boolean" ? "" : spec.type === "number" || spec.type === "integer" ? " N" : " VALUE";
      const shown = spec.defaultText ?? (spec.default !== undefined ? String(spec.default) : undefined);
      const def = shown !== undefined ? ` (default ${shown})` : "";
      const choices = spec.choices ? ` [${spec.choices.join(" | ")}]` : "";
      const lo = spec.min ?? (spec.above !== undefined ? `>${spec.above}` : "");
      const hi = spec.max ?? (spec.below !== undefined ? `<${spec.below}` : "");
      const range = lo !== "" || hi !== "" ? ` [${lo}..${hi}]` : "";
      const repeat = spec.type === "strings" ? " (repeatable)" : "";
      lines.push(`  --${name}${value}`.padEnd(28) + spec.help + choices + range + def + repeat);
    }
  }
  return lines.join("\n");
}

/** A field's flag: its type, range, choices and default from the field table (lib/core/fields.ts). */
export function flagOfField(field: Field): FlagSpec {
  const type: FlagType = field.type === "integer" || field.type === "number" || field.type === "boolean" ? field.type : "string";
  const spec: FlagSpec = { type, help: field.help };
  for (const k of ["min", "max", "above", "below"] as const) if (field[k] !== undefined) spec[k] = field[k];
  if (field.choices) spec.choices = field.choices.map(String);
  if (field.nameKind) spec.names = field.nameKind;
  if (type !== "boolean") spec.defaultText = typeof field.default === "object" ? JSON.stringify(field.default) : String(field.default);
  return spec;
}

/** The flags of a field table, in its order: each field's own flag, and the flags of a field set from several. */
export function flagsOfFields<T>(table: FieldTable<T>): Record<string, FlagSpec> {
  const out: Record<string, FlagSpec> = {};
  for (const [key, field] of Object.entries(table) as [string, Field][]) {
    if (field.flags) for (const [name, f] of Object.entries(field.flags.flags)) out[name] = flagOfField(f);
    const own = flagOf(key, field);
    if (own !== null) out[own] = flagOfField(field);
  }
  return out;
}

/** No positional arguments: a stray word is more likely a typo than something to ignore. */
export function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length) throw new UsageError(`cvae ${command}: unexpected argument "${positionals[0]}"`);
}
