// Typed overrides over defaults, for notebook parameters cells and config objects alike.
// Unknown keys and mismatched types are errors that name the key and the context; the
// default's runtime type decides how a string from the command line is read.

/** Environment variable through which `cvae reproduce --param` reaches a notebook. */
export const NOTEBOOK_PARAMS_ENV = "CVAE_NB_PARAMS";

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };

/**
 * Returns `defaults` with `overrides` applied. Throws on keys that `defaults` lacks and on
 * values whose type differs from the default's (a null default accepts anything).
 */
export function mergeOptions<T extends object>(defaults: T, overrides: object, context: string): T {
  const known = Object.keys(defaults);
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new Error(`${context}: unknown key "${key}"; known keys: ${known.join(", ")}`);
    }
    if (value === undefined) continue;
    const expected = out[key];
    if (expected !== null && typeName(value) !== typeName(expected)) {
      throw new TypeError(`${context}: "${key}" must be a ${typeName(expected)}, got ${typeName(value)} ${JSON.stringify(value)}`);
    }
    out[key] = value;
  }
  return out as T;
}

/** Reads a command-line string as the type of `like` (the default value of that key). */
export function parseParamValue(raw: string, like: unknown, key: string, context: string): ParamValue {
  const fail = (what: string): never => {
    throw new TypeError(`${context}: parameter "${key}" expects ${what}, got ${JSON.stringify(raw)}`);
  };
  switch (typeName(like)) {
    case "number": {
      const value = raw.trim() === "" ? NaN : Number(raw);
      return Number.isFinite(value) ? value : fail("a finite number");
    }
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : fail("true or false");
    case "string":
      return raw;
    case "array": {
      const value = parseJson(raw);
      return Array.isArray(value) ? value : fail("a JSON array");
    }
    case "object": {
      const value = parseJson(raw);
      return value !== null && typeof value === "object" && !Array.isArray(value) ? value : fail("a JSON object");
    }
    default: {
      // null default: JSON if it parses (numbers, null, true), else the string itself
      const value = parseJson(raw);
      return value === undefined ? raw : value;
    }
  }
}

/**
 * The parameters cell of a notebook: `const params = notebookParams("03-training", {...})`.
 * Overrides come from CVAE_NB_PARAMS (a JSON object of key -> string, written by
 * `cvae reproduce --param key=value`); each is read as the type of its default.
 */
export function notebookParams<T extends object>(notebook: string, defaults: T, env: NodeJS.ProcessEnv = process.env): T {
  const raw = env[NOTEBOOK_PARAMS_ENV];
  if (!raw) return { ...defaults };
  const given = parseJson(raw);
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new Error(`${NOTEBOOK_PARAMS_ENV} must hold a JSON object, got ${raw.slice(0, 80)}`);
  }
  const context = `notebook ${notebook}`;
  const typed: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new Error(
        `${context}: unknown parameter "${key}"; this notebook's parameters are: ${Object.keys(defaults).join(", ")}. ` +
          `To pass a parameter to one notebook only, write --param ${notebook}:${key}=...`,
      );
    }
    const like = (defaults as Record<string, unknown>)[key];
    typed[key] = typeof value === "string" ? parseParamValue(value, like, key, context) : (value as ParamValue);
  }
  return mergeOptions(defaults, typed, context);
}

/** Lines "key = value" with overridden keys marked, for the parameters cell's output. */
export function describeParams(defaults: object, params: object): string {
  const base = defaults as Record<string, unknown>;
  return Object.entries(params)
    .map(([key, value]) => {
      const changed = JSON.stringify(value) !== JSON.stringify(base[key]);
      return `${key} = ${JSON.stringify(value)}${changed ? `   (overridden; default ${JSON.stringify(base[key])})` : ""}`;
    })
    .join("\n");
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function parseJson(raw: string): ParamValue | undefined {
  try {
    return JSON.parse(raw) as ParamValue;
  } catch {
    return undefined;
  }
}
