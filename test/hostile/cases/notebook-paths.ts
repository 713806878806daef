// Hostile cases of class 12 notebook paths (issue 23, item 8).
import type { Case } from "../corpus";

export const NOTEBOOK_PATH_CASES: Case[] = [];
