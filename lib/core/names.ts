// The one validator for names that become folders of the project: data sets
// (data/raw/<name>/, data/processed/<name>/), runs (data/models/<run>/), kernels. A name
// is a plain folder name, so no path it builds can leave the folder that owns it: no "/",
// no "..", no leading dot (hidden or temp folders), no control or shell characters.

export type NameKind = "data set" | "run" | "kernel" | "preset";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_LENGTH = 100;

/** Returns `name` when it is a plain folder name; throws a RangeError naming the kind and the rules otherwise. */
export function checkName(name: string, kind: NameKind): string {
  if (typeof name !== "string" || name.length === 0) throw new RangeError(`${kind} name is empty`);
  if (name.length > MAX_LENGTH || !NAME.test(name) || name.includes("..")) {
    throw new RangeError(
      `${kind} name ${JSON.stringify(name)} is not a plain folder name: use letters, digits, ".", "_" and "-", ` +
        `start with a letter or digit, no ".." and at most ${MAX_LENGTH} characters`,
    );
  }
  return name;
}

/** True when `name` passes checkName. */
export function isPlainName(name: string): boolean {
  return typeof name === "string" && name.length > 0 && name.length <= MAX_LENGTH && NAME.test(name) && !name.includes("..");
}

/**
 * A valid name made from a folder's base name (for data sets named after their folder):
 * runs of other characters become "-"; an empty result becomes "dataset".
 */
export function nameFromFolder(base: string): string {
  const slug = base
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_LENGTH)
    .replace(/[-.]+$/, "");
  return slug || "dataset";
}
