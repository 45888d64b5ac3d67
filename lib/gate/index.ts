export { admit, isJsonContentType, type GateRequest, type Refusal } from "./admit";
export { contentSecurityPolicy, newNonce, securityHeaders } from "./headers";
export {
  allowedHostsFor,
  AllowedHostsError,
  hostAllowed,
  originAllowed,
  parseAllowedHosts,
  parseHostPort,
  type AllowedHost,
} from "./hosts";
export { clientAddress, requestIsHttps } from "./proxy";
