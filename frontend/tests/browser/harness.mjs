// The browser scenarios' harness: Debian's Chromium driven by playwright-core, the call
// service over fetch, screenshots, and waits on conditions (never sleep-and-hope).
//
// Started by tests/browser/test_dashboard.py (pytest) with these variables:
//   DASHBOARD_URL, CALL_SERVICE_URL, PRODUCER_KEY, SUPERVISOR_KEY, CONTROL_URL,
//   SCREENSHOT_DIR, optional DOC_SCREENSHOT_DIR and CHROMIUM_PATH.
import assert from "node:assert/strict";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run the scenarios through pytest)`);
  return value;
}

export const env = {
  dashboard: required("DASHBOARD_URL").replace(/\/+$/, ""),
  api: required("CALL_SERVICE_URL").replace(/\/+$/, ""),
  producerKey: required("PRODUCER_KEY"),
  supervisorKey: required("SUPERVISOR_KEY"),
  control: process.env.CONTROL_URL ?? "",
  screenshots: process.env.SCREENSHOT_DIR ?? path.resolve("test-artifacts/screenshots"),
  docScreenshots: process.env.DOC_SCREENSHOT_DIR ?? "",
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
};

/** How long one condition may take to become true. */
export const WAIT_MS = 15_000;
const SCENARIO_DEADLINE_MS = 75_000;

export { assert };

// ---------------------------------------------------------------- the call service

/** POST /api/events as the producer; asserts 201 (or 200 for a replay) and answers the body. */
export async function post(type, callId, data = {}, { eventId } = {}) {
  const body = { type, call_id: callId, data };
  if (eventId) body.event_id = eventId;
  const response = await fetch(`${env.api}/api/events`, {
    method: "POST",
    headers: { "X-API-Key": env.producerKey, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(
    response.status === 201 || response.status === 200,
    `POST ${type} for ${callId}: ${response.status} ${text}`,
  );
  return JSON.parse(text);
}

/**
 * POST /api/events/batch as the producer (1 to 500 events `{type, call_id, data, …}`);
 * waits out a 429 (Retry-After) and tries again; asserts every event was accepted (201,
 * or 200 for a replay) and answers the results. `backfill` sends `X-Backfill: true`.
 */
export async function postBatch(events, { backfill = false } = {}) {
  const headers = { "X-API-Key": env.producerKey, "Content-Type": "application/json" };
  if (backfill) headers["X-Backfill"] = "true";
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const response = await fetch(`${env.api}/api/events/batch`, {
      method: "POST",
      headers,
      body: JSON.stringify({ events }),
    });
    const text = await response.text();
    if (response.status === 429 && Date.now() < deadline) {
      const retryAfter = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfter, 0.05) * 1000));
      continue;
    }
    assert.equal(response.status, 200, `POST a batch of ${events.length}: ${response.status} ${text}`);
    const { results } = JSON.parse(text);
    const refused = results
      .map((result, index) => ({ result, event: events[index] }))
      .filter(({ result }) => result.status !== 201 && result.status !== 200);
    assert.deepEqual(
      refused.slice(0, 3).map(({ result, event }) => `${event.type} ${event.call_id}: ${result.status} ${JSON.stringify(result.body)}`),
      [],
      `${refused.length} of ${events.length} events refused`,
    );
    return results;
  }
}

/** GET on the call service with the supervisor key; answers the JSON body. */
export async function get(pathAndQuery) {
  const response = await fetch(`${env.api}${pathAndQuery}`, {
    headers: { "X-API-Key": env.supervisorKey },
  });
  const text = await response.text();
  assert.equal(response.status, 200, `GET ${pathAndQuery}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** The whole life of a call up to `until` (a status), each step posted in order. */
export async function callUntil(callId, until, { queue = "medical_spanish", media = "voice",
  agent = "agent-1", waitTime = 5, endReason = "completed", duration = 120 } = {}) {
  const steps = [
    ["waiting", "call_initiated", { media, queue_id: queue }],
    ["routed", "call_routed", { agent_id: agent, routing_time: 1 }],
    ["active", "call_answered", { wait_time: waitTime }],
    ["on_hold", "call_hold", {}],
  ];
  for (const [status, type, data] of steps) {
    await post(type, callId, data);
    if (status === until) return;
  }
  if (until === "ended") {
    await post("call_ended", callId, { end_reason: endReason, duration });
    return;
  }
  throw new Error(`callUntil: unknown status ${until}`);
}

/** Ask the pytest fixture to stop or start one of the services (realtime, api, …). */
export async function control(processName, action) {
  assert.ok(env.control, "CONTROL_URL is not set");
  const response = await fetch(`${env.control}/processes/${processName}/${action}`, {
    method: "POST",
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${action} ${processName}: ${text}`);
}

/** Poll `check` until it answers something truthy; fail after `timeout` ms. */
export async function eventually(check, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`not within ${timeout} ms: ${what} (last: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------- the browser

/** `[data-testid="…"]` with optional attribute values, as one CSS selector. */
export function testid(id, attributes = {}) {
  const extra = Object.entries(attributes)
    .map(([name, value]) => `[${name}="${value}"]`)
    .join("");
  return `[data-testid="${id}"]${extra}`;
}

/** Wait until the element exists and is visible (attributes included in the match). */
export async function shows(page, id, attributes = {}, timeout = WAIT_MS) {
  const selector = testid(id, attributes);
  try {
    await page.locator(selector).first().waitFor({ state: "visible", timeout });
  } catch (error) {
    const now = await describe(page, id);
    throw new Error(`${selector} not shown within ${timeout} ms; now: ${now}`, { cause: error });
  }
}

/** Wait until no element matches (gone or hidden). */
export async function hides(page, id, attributes = {}, timeout = WAIT_MS) {
  const selector = testid(id, attributes);
  await page.locator(selector).first().waitFor({ state: "hidden", timeout });
}

/** What the page shows for a test id right now, for failure messages. */
async function describe(page, id) {
  return page
    .evaluate((id) => {
      const found = [...document.querySelectorAll(`[data-testid="${id}"]`)];
      if (found.length === 0) return "absent";
      return found
        .map((el) => {
          const attrs = [...el.attributes]
            .filter((a) => a.name.startsWith("data-"))
            .map((a) => `${a.name}=${a.value}`)
            .join(" ");
          return `<${el.tagName.toLowerCase()} ${attrs}>`;
        })
        .join(", ");
    }, id)
    .catch((error) => `unknown (${error.message})`);
}

/** Mark the document; `assertNoReload` later proves it is still the same document. */
export async function markDocument(page) {
  await page.evaluate(() => {
    window.__browserTestMark = "still-the-same-document";
  });
}

export async function assertNoReload(page) {
  const mark = await page.evaluate(() => window.__browserTestMark ?? null);
  assert.equal(mark, "still-the-same-document", "the page was reloaded");
}

/** Opens `pathname` with the supervisor key handed over in the fragment. */
export async function openWithKey(page, pathname = "/") {
  await page.goto(`${env.dashboard}${pathname}#key=${encodeURIComponent(env.supervisorKey)}`);
  await page.waitForURL((url) => !url.hash.includes("key="), { timeout: WAIT_MS });
  await shows(page, "connection", { "data-state": "connected" });
}

/** Sets the Status filter (and waits for the URL to change if it changed). */
export async function selectFilter(page, label, value) {
  const select = page.getByLabel(label, { exact: true });
  const before = await select.inputValue();
  if (before === value) return;
  const url = page.url();
  await select.selectOption(value);
  await page.waitForURL((next) => next.toString() !== url, { timeout: WAIT_MS });
}

/** Screenshot to SCREENSHOT_DIR/<name>.png, and to DOC_SCREENSHOT_DIR when asked. */
export async function screenshot(page, name, { doc = false } = {}) {
  await mkdir(env.screenshots, { recursive: true });
  const file = path.join(env.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  if (doc && env.docScreenshots) {
    await mkdir(env.docScreenshots, { recursive: true });
    await copyFile(file, path.join(env.docScreenshots, `${name}.png`));
  }
  return file;
}

/**
 * Runs one scenario in a fresh headless Chromium: fails (exit 1) on an assertion, an
 * uncaught page error, or the overall deadline; saves `<name>-failure.png` on failure.
 */
export async function scenario(name, body) {
  const started = Date.now();
  const watchdog = setTimeout(() => {
    console.error(`${name}: still running after ${SCENARIO_DEADLINE_MS} ms, giving up`);
    process.exit(2);
  }, SCENARIO_DEADLINE_MS);
  const browser = await chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  let failed = false;
  try {
    await body({ page, context, browser });
    assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    // Whatever the dashboard's Content-Security-Policy refused (a script, a connection to a
    // service, a style) is a page that does not work as served.
    assert.deepEqual(
      consoleErrors.filter((text) => text.includes("Content Security Policy")),
      [],
      "the Content-Security-Policy refused something",
    );
    console.log(`${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed = true;
    console.error(`${name}: FAILED at ${page.url()}`);
    console.error(error?.stack ?? error);
    if (error?.cause) console.error("caused by:", error.cause?.message ?? error.cause);
    if (pageErrors.length) console.error("page errors:\n" + pageErrors.join("\n"));
    const shot = await screenshot(page, `${name}-failure`).catch(() => null);
    if (shot) console.error(`screenshot: ${shot}`);
  } finally {
    if (consoleErrors.length) console.error("browser console errors:\n" + consoleErrors.join("\n"));
    await browser.close().catch(() => {});
    clearTimeout(watchdog);
  }
  process.exit(failed ? 1 : 0);
}
