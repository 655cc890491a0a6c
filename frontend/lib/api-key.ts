/**
 * The API key lives in sessionStorage only: it is gone when the tab closes and is never
 * part of the bundle. `/#key=<key>` hands a key over once; the fragment is never sent to
 * any server and is removed from the address bar at once.
 */
const STORAGE_KEY = "call-dashboard.api-key";

export function keyFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const key = params.get("key");
  return key && key.trim() ? key.trim() : null;
}

/** Takes `#key=` from the address bar (storing it), then answers the stored key. */
export function loadKey(): string | null {
  if (typeof window === "undefined") return null;
  const fromHash = keyFromHash(window.location.hash);
  if (fromHash) {
    storeKey(fromHash);
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, "", pathname + search);
  }
  return window.sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, key.trim());
}

export function clearKey(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
