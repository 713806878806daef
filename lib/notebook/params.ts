// The parameters cell of every notebook: typed defaults, overridden from the command line
// (`cvae reproduce --param key=value`), each value read as the type of its default.
import { type FieldTable, parseFieldText } from "../core/fields";
import { mergeOptions, type ParamValue, parseJson, parseParamValue } from "../core/options";
import { presetConfig, TRAIN_FIELDS, type TrainConfig } from "../train/config";

/** Environment variable through which `cvae reproduce --param` reaches a notebook. */
export const NOTEBOOK_PARAMS_ENV = "CVAE_NB_PARAMS";

/**
 * The parameters cell of a notebook: `const params = notebookParams("03-training", {...})`.
 * Overrides come from CVAE_NB_PARAMS (a JSON object of key -> string, written by
 * `cvae reproduce --param key=value`); each is read as the type of its default.
 */
export function notebookParams<T extends object, S extends object = object>(
  notebook: string,
  defaults: T,
  env: NodeJS.ProcessEnv = process.env,
  settings?: FieldTable<S>,
): T & Partial<S> {
  const raw = env[NOTEBOOK_PARAMS_ENV];
  if (!raw) return { ...defaults };
  const given = parseJson(raw);
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new Error(`${NOTEBOOK_PARAMS_ENV} must hold a JSON object, got ${raw.slice(0, 80)}`);
  }
  const context = `notebook ${notebook}`;
  const typed: Record<string, ParamValue> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const own = Object.prototype.hasOwnProperty.call(defaults, key);
    if (!own && settings && Object.prototype.hasOwnProperty.call(settings, key)) {
      // A setting the parameters cell does not list, read and checked by its row of the table.
      const field = (settings as Record<string, Parameters<typeof parseFieldText>[0]>)[key];
      extra[key] = typeof value === "string" ? parseFieldText(field, value, `${context}: parameter "${key}"`) : value;
      continue;
    }
    if (!own) {
      const more = settings ? `, and any setting of its table (${Object.keys(settings).join(", ")})` : "";
      throw new Error(
        `${context}: unknown parameter "${key}"; this notebook's parameters are: ${Object.keys(defaults).join(", ")}${more}. ` +
          `To pass a parameter to one notebook only, write --param ${notebook}:${key}=...`,
      );
    }
    const like = (defaults as Record<string, unknown>)[key];
    typed[key] = typeof value === "string" ? parseParamValue(value, like, key, context) : (value as ParamValue);
  }
  return { ...mergeOptions(defaults, typed, context), ...extra } as T & Partial<S>;
}

/**
 * The parameters of a notebook that trains (03, 06): its own defaults, plus any training setting of
 * TRAIN_FIELDS, whether added to the parameters cell or given as `--param <notebook>:<setting>=<value>`.
 */
export function trainingParams<T extends object>(
  notebook: string,
  defaults: T,
  env: NodeJS.ProcessEnv = process.env,
): T & Partial<TrainConfig> {
  return notebookParams(notebook, defaults, env, TRAIN_FIELDS);
}

/**
 * A training notebook's config: the preset's schedule, then every training setting among the
 * parameters, then what the notebook derives (`names`: the processed data set and the run folder,
 * since the parameters name the raw source and the run's prefix). `epochs: 0` means the preset's.
 */
export function notebookTrainConfig(
  params: { preset: string } & Partial<Record<keyof TrainConfig, unknown>>,
  names: Pick<TrainConfig, "dataset" | "run">,
): TrainConfig {
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(TRAIN_FIELDS) as (keyof TrainConfig)[]) {
    if (key === "dataset" || key === "run" || params[key] === undefined) continue;
    if (key === "epochs" && params.epochs === 0) continue;
    settings[key] = params[key];
  }
  return presetConfig(params.preset, { ...(settings as Partial<TrainConfig>), ...names });
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
