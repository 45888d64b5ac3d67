import "server-only";

export { WatchService, watches, type WatchServiceOptions } from "./service";
export { WatchStore, type WatchRow, type WatchedPass } from "./store";
