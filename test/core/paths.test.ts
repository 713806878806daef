import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dataDir } from "../../lib/core/paths";
import { tempDir } from "../helpers/temp";

/** Runs `use` with CVAE_DATA_DIR set to `value`, restoring it afterwards. */
function withDataDir<T>(value: string, use: () => T): T {
  const before = process.env.CVAE_DATA_DIR;
  process.env.CVAE_DATA_DIR = value;
  try {
    return use();
  } finally {
    if (before === undefined) delete process.env.CVAE_DATA_DIR;
    else process.env.CVAE_DATA_DIR = before;
  }
}

describe("dataDir()", () => {
  it("is CVAE_DATA_DIR, resolved, whether the folder exists yet or not", () => {
    const dir = tempDir("paths-");
    mkdirSync(join(dir, "data"));
    assert.equal(
      withDataDir(join(dir, "data"), () => dataDir()),
      join(dir, "data"),
    );
    assert.equal(
      withDataDir(join(dir, "later"), () => dataDir()),
      join(dir, "later"),
    );
  });

  it("refuses a CVAE_DATA_DIR that is a file, naming the variable and what was expected", () => {
    const file = join(tempDir("paths-"), "data");
    writeFileSync(file, "{}");
    assert.throws(() => withDataDir(file, () => dataDir()), {
      message: `CVAE_DATA_DIR=${file}: is not a folder, expected the data folder (raw/, processed/, models/)`,
    });
  });
});
