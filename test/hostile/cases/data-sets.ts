// Hostile cases of class 8 one name, one data set, and 10 stored text (issue 23, items 3 and 6).
import type { Case } from "../corpus";

export const DATA_SET_CASES: Case[] = [];
