// Service URLs are NOT configured here: they are read per request from CALL_SERVICE_URL /
// REALTIME_URL by the root layout (see lib/runtime-config.ts), so one build serves any
// deployment. Telemetry is off (NEXT_TELEMETRY_DISABLED=1 in the Makefile and scripts).
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  eslint: { ignoreDuringBuilds: true },
};

export default nextConfig;
