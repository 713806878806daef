// Typed overrides over defaults, for config objects and notebook parameters cells alike.
// Unknown keys and mismatched types are errors that name the key and the context; the
// default's runtime type decides how a string from the command line is read.

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
      const type = typeName(expected);
      const article = /^[aeiou]/.test(type) ? "an" : "a";
      throw new TypeError(`${context}: "${key}" must be ${article} ${type}, got ${typeName(value)} ${JSON.stringify(value)}`);
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

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function parseJson(raw: string): ParamValue | undefined {
  try {
    return JSON.parse(raw) as ParamValue;
  } catch {
    return undefined;
  }
}
