import "server-only";

export { ConnectionRegistry, connections, listBuckets, type Connection, type ConnectionSources } from "./registry";
export {
  validateConnectionsConfig,
  connectionConfigSchema,
  ConnectionConfigError,
  RESERVED_CONNECTION_NAMES,
  type ConnectionConfig,
} from "./config";
export { describeS3Error, toAppError, isAbortError, type ErrorContext } from "./errors";
