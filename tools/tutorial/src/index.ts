export {
  type DatasetRowsOptions,
  fetchDatasetRows,
  parseSplitSlice,
  type SplitSlice,
} from "./dataset-rows.js";
export { createTutorialCollection, hybridQuery, TUTORIAL, upsertRows } from "./tutorial.js";
