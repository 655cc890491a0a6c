// Adds lock entries for platform-specific optional packages (e.g. @next/swc-darwin-arm64,
// @rollup/rollup-win32-x64-msvc) that `npm install` left out because the registry this
// machine uses does not serve them. Without those entries `npm ci` refuses the lock
// ("Missing: … from lock file"). The entries carry os/cpu, so npm skips them on other
// platforms and fetches them (from a registry that has them) on theirs.
// Run after any `npm install`: node scripts/complete-lockfile.mjs
import { readFile, writeFile } from "node:fs/promises";

const OS = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "netbsd", "sunos", "aix", "openharmony"];
const CPU = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64", "mips64el"];
const target = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(await readFile(target, "utf8"));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = path ? `${path}/node_modules/${name}` : key;
    if (packages[key] || packages[nested]) continue;
    const parts = name.split(/[/-]/);
    const os = OS.find((o) => parts.includes(o) || (o === "win32" && parts.includes("windows")));
    const cpu = CPU.find((c) => parts.includes(c) || (c === "arm" && parts.includes("eabi")));
    packages[key] = {
      version: spec.replace(/^[\^~=]/, ""),
      ...(cpu ? { cpu: [cpu] } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(parts.includes("musl") ? { libc: ["musl"] } : parts.includes("gnu") ? { libc: ["glibc"] } : {}),
    };
    added++;
  }
}
const sorted = { "": packages[""] };
for (const key of Object.keys(packages).filter(Boolean).sort()) sorted[key] = packages[key];
lock.packages = sorted;
await writeFile(target, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform entries`);
