import "server-only";

export { listPages, compareKeys, formDecode, iso, unansweredRecord, type ListParams, type ListOptions, type ListCursor, type ListedPage } from "./list-pages";
export { DEFAULT_RETRY, sleep, sendWithRetry, type RetryPolicy, type Sent } from "./send";
export { KeyOrder } from "./key-order";
export {
  listVersionPages,
  mergeVersionRows,
  clockOffset,
  readVersioning,
  versioningWarning,
  type VersionListParams,
  type VersionListOptions,
  type ListedVersionPage,
  type ServerClockSample,
} from "./list-versions";
export { AsOfFold, asOfPage, entryOf, type AsOfListedPage, type SettledKey } from "./as-of";
