import "server-only";

export {
  listPages,
  compareKeys,
  formDecode,
  DEFAULT_RETRY,
  type ListParams,
  type ListOptions,
  type ListCursor,
  type ListedPage,
  type RetryPolicy,
} from "./list-pages";
