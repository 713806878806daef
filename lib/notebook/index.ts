// The notebooks' one import: everything notebooks/*.ipynb call, from every stage, so that each
// imports cell is `import { ... } from "./lib/notebook/index";` and the setup line (the path names
// the file: tslab's require finds no folder's index). A notebook that needs another function adds
// it here, in its stage's group (the stages in README's order); figures come wholesale.
export { deriveSeed } from "../core/rng";

export { captionOf, columnTotalBins, datasetCaption, ratingHistogram, rawOverview, rowLengthBins, summaryRows } from "../data/describe";
export { prepareSource, processedNameFor, processedNameOf, sourceNote } from "../data/datasets";
export { loadProcessed, loadProcessedTimed, saveProcessed } from "../data/store";
export { NO_GENRES } from "../data/schema";
export { readMovieLens } from "../data/movielens/movielens";
export { defaultPreprocessOptions, preprocess } from "../data/protocol/preprocess";
export { checkConditionKind, scopeOf } from "../data/conditions/conditions";
export { conditionRows } from "../data/conditions/condition-stats";
export {
  describeGenresPerUser,
  genreCooccurrence,
  genresPerUser,
  imaxBreakdown,
  interactionsPerGenre,
  moviesPerGenre,
} from "../data/conditions/genres";
export { loadGroundTruth } from "../data/synthetic/planted";

export { CvaeModel } from "../model/cvae-model";
export { modelDir, runName } from "../model/checkpoint";

export { compareModelsWithPopularity, compareWithPopularity, methodName, perConditionRows, resultRows } from "../evaluation/evaluate";

export { defaultTrainConfig } from "../train/config";
export { train } from "../train/loop";
export { budgetRows } from "../train/budget";

export { belowPopularityMark, checkAgainstPopularity, markedCaption, popularityCheckResults } from "../analysis/model-check";
export { describeSample, encodeUnderConditions, rowsOfSampledUsers, sampleUsers, userTopGenres } from "../analysis/latent";
export { claimsInputFor, claimTable, claimVerdicts, fitLatentPcas, measureClaims, savePcas } from "../analysis/claims/claims";
export { claimBootstrapVerdicts, claimIntervals, claimIntervalTable, claimThresholdTable } from "../analysis/claims/intervals";
export { compareWithControl, controlTable, untrainedControl } from "../analysis/claims/controls";
export { genreLabelNull, nullTable } from "../analysis/claims/nulls";
export { plantedGeometry } from "../analysis/claims/rules";
export {
  agreementOverSeeds,
  agreementsOfSeedModels,
  claimsOfSeedModels,
  claimsOverSeeds,
  seedAgreementTable,
  seedClaimMetrics,
  seedClaimTable,
} from "../analysis/seeds";
export {
  agreementWithHistory,
  profileCard,
  profileSpace,
  profileSubject,
  profilingHints,
  seriousAxisPoints,
  trainingHistory,
  watchedShares,
} from "../analysis/profile";
export { exampleConditions, exampleUser, foldInHistory, historyGenres, recommend, recommendationTable } from "../analysis/recommend";
export { conditionCentroidPairs, contextRecovery, dataGenreLift, liftPanels, recoveryTable } from "../analysis/context-recovery";
export { spearman } from "../analysis/geometry";

// The figure modules wholesale, so that a new figure in one of them needs no line here (the one
// exception to "exactly what notebooks import", test/notebook/index.test.ts).
export * from "../figures/plots";
export * from "../figures/data";
export * from "../figures/training";
export * from "../figures/latent";
export * from "../figures/claims";
export * from "../figures/profile";
export * from "../figures/context";

export { setupNotebook, showModelStatus, showPopularityCheck, trainBetterHint } from "./setup";
export { describeParams, notebookParams, notebookTrainConfig, trainingParams } from "./params";
export { show, showMarkdown } from "./display";
export { showDataFrame, toDataFrame } from "./tables";
export { notebookProgress, notebookSeedModels, reportTrainingEnd } from "./progress";
export { notebookEqualBudgetRun } from "./comparison";
export { recordResults } from "./results";
