/**
 * Where the browser finds the services. Read from the environment of the Next server at
 * request time (never inlined at build time), then handed to the browser by the root layout
 * and by GET /runtime-config.
 */
export interface RuntimeConfig {
  callServiceUrl: string;
  realtimeUrl: string;
}

export const DEFAULT_CALL_SERVICE_URL = "http://127.0.0.1:8000";
export const DEFAULT_REALTIME_URL = "http://127.0.0.1:8001";

export function readRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  return {
    callServiceUrl: trimSlash(env["CALL_SERVICE_URL"] || DEFAULT_CALL_SERVICE_URL),
    realtimeUrl: trimSlash(env["REALTIME_URL"] || DEFAULT_REALTIME_URL),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
