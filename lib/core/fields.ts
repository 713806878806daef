// Field tables: a config's settings written once, each with its type, range, default, help
// text and the reason for its default. Validation, reading a value typed as text (a command
// line flag, a notebook's --param) and the help the CLI prints all come from the table, so
// adding a setting is one row plus its use.
import { type NameKind, isPlainName } from "./names";

export type FieldType = "integer" | "number" | "boolean" | "choice" | "name" | "json";

/** One setting of a config. */
export interface Field<V = unknown> {
  type: FieldType;
  default: V;
  /** What the setting does, in one line (CLI help, notebooks' parameter hints). */
  help: string;
  /** Why the default is what it is (README, `cvae train --help`). */
  reason: string;
  /** Inclusive bounds of a number or integer. */
  min?: number;
  max?: number;
  /** Exclusive bounds: the value must be greater than `above` and less than `below`. */
  above?: number;
  below?: number;
  /** The values a "choice" accepts. */
  choices?: readonly (string | number)[];
  /** For "name": what the name names (it becomes a folder). */
  nameKind?: NameKind;
  /** For "json" and any extra rule: the problem with a value, or null when it is fine. */
  check?: (value: V) => string | null;
  /** For "json": reads a typed text (else JSON.parse). */
  parse?: (text: string) => V;
  /** Its command-line flag: by default the key in kebab case (batchSize: --batch-size); false: none of its own. */
  flag?: string | false;
  /** A value one typed text cannot say well (a schedule) has flags of its own, read together. */
  flags?: FieldFlags<V>;
}

/** The flags of a field set from several flags (e.g. a fixed beta or an annealing cap and length). */
export interface FieldFlags<V> {
  /** Each flag as a field: its type, range, help and the default help shows. */
  flags: Record<string, Field>;
  /** The value the typed flags set (undefined when none of them was typed); throws on a combination that contradicts itself. */
  read(given: Readonly<Record<string, unknown>>, current: V): V | undefined;
}

/** A field's own flag name, or null when it has none (see Field.flag). */
export function flagOf(key: string, field: Field): string | null {
  if (field.flags || field.flag === false) return null;
  return field.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The keys the typed flags set, read field by field: a field's own flag as typed, or its flags'
 * reader over `current` (the config the flags go over).
 */
export function fromFlags<T>(table: FieldTable<T>, given: Readonly<Record<string, unknown>>, current: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(table) as [string, Field][]) {
    const flag = flagOf(key, field);
    const value = field.flags
      ? field.flags.read(given, (current as Record<string, unknown>)[key])
      : flag !== null
        ? given[flag]
        : undefined;
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}

/** A config's table: one field per key, in the order help and listings show them. */
export type FieldTable<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** A fresh copy of the table's defaults (nested values are copied, so callers may change them). */
export function defaultsOf<T>(table: FieldTable<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(table) as [string, Field][]) out[key] = structuredClone(field.default);
  return out as T;
}

/** The range of a number field in words ("in [0, 1)", "at least 1"), or "" when it has none. */
export function rangeText(field: Field): string {
  const lo = field.above !== undefined ? `(${field.above}` : field.min !== undefined ? `[${field.min}` : null;
  const hi = field.below !== undefined ? `${field.below})` : field.max !== undefined ? `${field.max}]` : null;
  if (lo && hi) return `in ${lo}, ${hi}`;
  if (lo) return field.above !== undefined ? `greater than ${field.above}` : `at least ${field.min}`;
  if (hi) return field.below !== undefined ? `less than ${field.below}` : `at most ${field.max}`;
  return "";
}

/** The problem with one value of a field ("must be a positive integer"), or null. */
export function fieldProblem(field: Field, value: unknown): string | null {
  switch (field.type) {
    case "integer":
    case "number": {
      const whole = field.type === "integer";
      if (typeof value !== "number" || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
        if (whole && field.min === 1 && field.max === undefined) return "must be a positive integer";
        return whole ? `must be an integer ${rangeText(field)}`.trimEnd() : `must be a finite number ${rangeText(field)}`.trimEnd();
      }
      const outside =
        (field.min !== undefined && value < field.min) ||
        (field.max !== undefined && value > field.max) ||
        (field.above !== undefined && !(value > field.above)) ||
        (field.below !== undefined && !(value < field.below));
      if (outside) return whole && field.min === 1 && value < 1 ? "must be a positive integer" : `must be ${rangeText(field)}`;
      break;
    }
    case "boolean":
      if (typeof value !== "boolean") return "must be true or false";
      break;
    case "choice":
      if (!(field.choices ?? []).includes(value as string | number))
        return `must be one of ${(field.choices ?? []).map((c) => JSON.stringify(c)).join(", ")}`;
      break;
    case "name":
      if (typeof value !== "string" || !isPlainName(value))
        return (
          `must be a plain folder name for a ${field.nameKind ?? "name"} ` +
          "(letters, digits, . _ -, starting with a letter or digit; no ..)"
        );
      break;
    case "json":
      break;
    default:
      throw new Error(`unknown field type ${String(field.type)}`);
  }
  return field.check ? field.check(value) : null;
}

/** Throws a RangeError naming the first key whose value is impossible: "<context>: <key> <problem>, got <value>". */
export function validateFields<T>(table: FieldTable<T>, value: T, context: string): T {
  for (const [key, field] of Object.entries(table) as [string, Field][]) {
    const v = (value as Record<string, unknown>)[key];
    const problem = fieldProblem(field, v);
    if (problem) throw new RangeError(`${context}: ${key} ${problem}, got ${JSON.stringify(v)}`);
  }
  return value;
}

/** A decimal number as people type it: "12", "-0.5", "1e-3", ".5". Not hex, octal, binary, "Infinity" or blanks. */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Why a typed text is not a plain decimal (a whole one when `whole`), or null when it is. */
export function decimalProblem(text: string, whole: boolean): string | null {
  const t = text.trim();
  if (!DECIMAL.test(t) || (whole && !/^[+-]?\d+$/.test(t))) return whole ? "expects a whole number" : "expects a number";
  return null;
}

/** Reads a typed text (a flag's or a --param's value) as the field's type and checks it; errors name `where`. */
export function parseFieldText<V>(field: Field<V>, text: string, where: string): V {
  const fail = (what: string): never => {
    throw new RangeError(`${where} ${what}, got ${JSON.stringify(text)}`);
  };
  let value: unknown;
  switch (field.type) {
    case "integer":
    case "number": {
      const problem = decimalProblem(text, field.type === "integer");
      if (problem) fail(problem);
      value = Number(text.trim());
      break;
    }
    case "boolean":
      value = text === "true" ? true : text === "false" ? false : fail("expects true or false");
      break;
    case "choice": {
      const choice = (field.choices ?? []).find((c) => String(c) === text);
      value = choice === undefined ? fail(`must be one of ${(field.choices ?? []).join(", ")}`) : choice;
      break;
    }
    case "name":
      value = text;
      break;
    case "json":
      try {
        value = field.parse ? field.parse(text) : JSON.parse(text);
      } catch (err) {
        fail(`cannot be read (${err instanceof Error ? err.message : String(err)})`);
      }
      break;
    default:
      throw new Error(`unknown field type ${String(field.type)}`);
  }
  const problem = fieldProblem(field as Field, value);
  if (problem) fail(problem);
  return value as V;
}

/** The keys of `value` that the table does not have. */
export function unknownKeys(table: FieldTable<unknown>, value: object): string[] {
  return Object.keys(value).filter((k) => !Object.prototype.hasOwnProperty.call(table, k));
}

/** The table as markdown (README's settings table): key, flag, range or choices, default, what it does, why that default. */
export function fieldsMarkdown<T>(table: FieldTable<T>): string {
  const code = (s: string) => `\`${s}\``;
  const rows = (Object.entries(table) as [string, Field][]).map(([key, f]) => {
    const own = flagOf(key, f);
    const flags = own !== null ? [own] : Object.keys(f.flags?.flags ?? {});
    const range = f.choices
      ? f.choices.map((c) => String(c)).join(", ")
      : f.type === "name"
        ? `(a ${f.nameKind ?? "plain"} name)`
        : rangeText(f);
    const kind = f.type === "json" ? "schedule" : f.type;
    const cells = [
      code(key),
      flags.length ? flags.map((x) => code(`--${x}`)).join(" ") : "none of its own",
      `${kind}${range ? ` ${range}` : ""}`,
      code(JSON.stringify(f.default)),
      f.help,
      f.reason,
    ];
    return `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  });
  return ["| setting | flag | type | default | what | why this default |", "|---|---|---|---|---|---|", ...rows].join("\n");
}
