import "server-only";

export { AppError, clientError, errorResponse, errorStatus, errorBody, internalError, isClientError, type ErrorBody, type ErrorCode, type InternalError } from "./errors";
export { ndjsonResponse, ndjsonLine, ndjsonChunks } from "./ndjson";
export { parse, readJson, searchParamsObject } from "./validate";
export { handle } from "./handle";
