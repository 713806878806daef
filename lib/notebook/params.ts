// The parameters cell of every notebook: typed defaults, overridden from the command line
// (`cvae reproduce --param key=value`), each value read as the type of its default.
import { mergeOptions, type ParamValue, parseJson, parseParamValue } from "../core/options";

/** Environment variable through which `cvae reproduce --param` reaches a notebook. */
export const NOTEBOOK_PARAMS_ENV = "CVAE_NB_PARAMS";

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
