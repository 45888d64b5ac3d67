import { randomBytes } from "node:crypto";

// Headers on every response. Next puts the nonce it finds in the *request's* Content-Security-Policy
// header on its inline scripts and script tags (next/dist/server/app-render/get-script-nonce-from-header.js,
// script-src first, then default-src), so the start script writes the policy into the request before
// Next renders, and the same policy into the response.

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code (callstacks, fast refresh); production never does.
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    // React renders `style` props as style attributes in server HTML; a nonce cannot cover attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(nonce: string, dev: boolean): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, dev),
    "X-Content-Type-Options": "nosniff",
    // Pages hold presigned URLs and object keys in their own URLs; nothing of them may follow a link.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Older browsers that do not know frame-ancestors.
    "X-Frame-Options": "DENY",
  };
}
