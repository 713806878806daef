// Hostile cases of class 7 run folders (issue 23, items 1-2).
import type { Case } from "../corpus";

export const RUN_FOLDER_CASES: Case[] = [];
