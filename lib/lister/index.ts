import "server-only";

export { listPages, compareKeys, formDecode, type ListParams, type ListOptions, type ListCursor, type ListedPage } from "./list-pages";
export { DEFAULT_RETRY, sleep, type RetryPolicy } from "./send";
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
