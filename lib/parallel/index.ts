import "server-only";

export { listParallel, newParallelState, type ParallelOptions, type ParallelState, type ParallelStep } from "./walk";
export { newRange, RangePlan, MAX_RANGES, type RangeRecord } from "./plan";
export { KeyShape, splitPoints, snapToCommonPrefix } from "./split";
