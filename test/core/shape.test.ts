import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readJsonFile } from "../../lib/core/shape";
import { tempDir } from "../helpers/temp";

describe("readJsonFile(file, shape, hint)", () => {
  it("reads a JSON file of the shape", () => {
    const file = join(tempDir("shape-"), "a.json");
    writeFileSync(file, '{"n": 3}');
    assert.deepEqual(readJsonFile(file, { object: { n: "integer" } }), { n: 3 });
  });

  it("refuses a FIFO, a device and a folder by name with the hint, before reading", () => {
    const dir = tempDir("shape-");
    execFileSync("mkfifo", [join(dir, "dataset.json")]);
    mkdirSync(join(dir, "folder.json"));
    const hint = "; run `cvae data prepare` to build it again";
    assert.throws(() => readJsonFile(join(dir, "dataset.json"), "any", hint), {
      message: `${join(dir, "dataset.json")}: is a named pipe (FIFO), expected a JSON file; it was not read${hint}`,
    });
    assert.throws(() => readJsonFile("/dev/zero", "any"), {
      message: "/dev/zero: is a character device, expected a JSON file; it was not read",
    });
    assert.throws(() => readJsonFile(join(dir, "folder.json"), "any", hint), {
      message: `${join(dir, "folder.json")}: is a folder, expected a JSON file${hint}`,
    });
  });
});
