// Hostile cases of class 9 bounded input and 11 operating-system errors (issue 23, items 4 and 7).
import type { Case } from "../corpus";

export const INPUT_CASES: Case[] = [];
