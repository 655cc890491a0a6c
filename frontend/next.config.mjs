// Service URLs are NOT configured here: they are read per request from CALL_SERVICE_URL /
// REALTIME_URL by the root layout (see lib/runtime-config.ts), so one build serves any
// deployment. Telemetry is off (NEXT_TELEMETRY_DISABLED=1 in the Makefile and scripts).
//
// Security headers on every response. `headers()` is evaluated at build time, so the full
// Content-Security-Policy of the pages (connect-src naming the services read at start-up, a
// nonce per request for Next's inline scripts) is set by middleware.ts, which replaces the
// baseline policy below on the pages; this one keeps every other response (static files,
// anything middleware does not match) from being framed or sniffed too. Keep this file
// self-contained: the container image copies it alone.

/** The policy of responses that are not pages: nothing may frame or embed them. */
const BASELINE_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: BASELINE_CSP },
  // For browsers that ignore frame-ancestors: no page of the dashboard may be framed, so
  // its acknowledge / redeliver buttons cannot be clickjacked.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // The call service and the realtime service are other origins: send them no page URL.
  { key: "Referrer-Policy", value: "no-referrer" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  eslint: { ignoreDuringBuilds: true },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
