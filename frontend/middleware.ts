/**
 * The Content-Security-Policy of every page, built per request: the services' origins are
 * read from CALL_SERVICE_URL / REALTIME_URL when the server runs (like the root layout,
 * never at build time), and a fresh nonce lets Next's own inline scripts run while any other
 * inline script is refused. The policy is also set on the request, which is where Next
 * reads the nonce from to put it on the scripts it renders (every page is dynamic: the root
 * layout is `force-dynamic`). The headers that do not vary are in next.config.mjs.
 */
import { NextResponse, type NextRequest } from "next/server";
import { readRuntimeConfig, type RuntimeConfig } from "@/lib/runtime-config";

/**
 * What the browser may connect to beyond its own origin: the call service (REST) and the
 * realtime service (socket.io: HTTP long-polling, then a WebSocket on the same host). A URL
 * that is not absolute http(s) (a same-origin path behind a proxy) adds nothing: 'self'.
 */
export function connectSources(config: RuntimeConfig): string[] {
  const sources = new Set<string>();
  const call = absoluteHttpUrl(config.callServiceUrl);
  if (call) sources.add(call.origin);
  const realtime = absoluteHttpUrl(config.realtimeUrl);
  if (realtime) {
    sources.add(realtime.origin);
    sources.add(`${realtime.protocol === "https:" ? "wss:" : "ws:"}//${realtime.host}`);
  }
  return [...sources];
}

export function contentSecurityPolicy(
  config: RuntimeConfig,
  nonce: string,
  { dev = false }: { dev?: boolean } = {},
): string {
  return [
    "default-src 'self'",
    // `next dev` evaluates its modules (React refresh); a production build never does.
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    // React renders `style` attributes (row positions of the virtual table, bars).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources(config)].join(" "),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function middleware(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(readRuntimeConfig(process.env), newNonce(), {
    dev: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

// Pages and route handlers; not the hashed static files (next.config.mjs covers those).
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};

function absoluteHttpUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed : null;
  } catch {
    return null;
  }
}
