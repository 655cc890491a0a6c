// Filter by status and by queue: the URL changes, rows follow the filter (live ones too),
// the back button restores the previous filter, and the filtered URL can be shared.
import {
  assert, callUntil, hides, openWithKey, post, screenshot, scenario, selectFilter, shows,
} from "./harness.mjs";

const WAITING_ES = "bt-filter-waiting-es";
const ACTIVE_EN = "bt-filter-active-en";
const ENDED_ES = "bt-filter-ended-es";

await scenario("filters", async ({ page, context }) => {
  await callUntil(WAITING_ES, "waiting", { queue: "medical_spanish" });
  await callUntil(ACTIVE_EN, "active", { queue: "legal_english" });
  await callUntil(ENDED_ES, "ended", { queue: "medical_spanish" });

  await openWithKey(page, "/");
  await selectFilter(page, "Status", "");
  const unfiltered = page.url();
  for (const id of [WAITING_ES, ACTIVE_EN, ENDED_ES]) await shows(page, `call-row-${id}`);

  await selectFilter(page, "Status", "live");
  const liveOnly = page.url();
  assert.notEqual(liveOnly, unfiltered, "the status filter is in the URL");
  await hides(page, `call-row-${ENDED_ES}`);
  await shows(page, `call-row-${WAITING_ES}`);
  await shows(page, `call-row-${ACTIVE_EN}`);

  await selectFilter(page, "Queue", "medical_spanish");
  const liveSpanish = page.url();
  assert.notEqual(liveSpanish, liveOnly, "the queue filter is in the URL");
  await hides(page, `call-row-${ACTIVE_EN}`);
  await shows(page, `call-row-${WAITING_ES}`);

  // Live events respect the filters: another queue's call stays out, this queue's comes in.
  await post("call_initiated", "bt-filter-new-en", { media: "voice", queue_id: "legal_english" });
  await post("call_initiated", "bt-filter-new-es", { media: "voice", queue_id: "medical_spanish" });
  await shows(page, "call-row-bt-filter-new-es", { "data-status": "waiting" });
  assert.equal(await page.locator('[data-testid="call-row-bt-filter-new-en"]').count(), 0,
    "a call of another queue appeared under the queue filter");
  // A call that ends leaves the live view.
  await post("call_ended", WAITING_ES, { end_reason: "abandoned", duration: 30 });
  await hides(page, `call-row-${WAITING_ES}`);
  await screenshot(page, "calls-filtered");

  await page.goBack();
  await page.waitForURL(liveOnly, { timeout: 15_000 });
  assert.equal(await page.getByLabel("Status", { exact: true }).inputValue(), "live");
  assert.equal(await page.getByLabel("Queue", { exact: true }).inputValue(), "");
  await shows(page, `call-row-${ACTIVE_EN}`);
  await shows(page, "call-row-bt-filter-new-en");
  await hides(page, `call-row-${ENDED_ES}`);

  await page.goBack();
  await page.waitForURL(unfiltered, { timeout: 15_000 });
  assert.equal(await page.getByLabel("Status", { exact: true }).inputValue(), "");
  await shows(page, `call-row-${ENDED_ES}`);

  // The filtered URL is shareable: another tab opened on it shows the same filter.
  const shared = await context.newPage();
  // (sessionStorage is per tab: the key is handed over again.)
  await openWithKey(shared, `/${new URL(liveSpanish).search}`);
  await shows(shared, "call-row-bt-filter-new-es");
  assert.equal(await shared.getByLabel("Status", { exact: true }).inputValue(), "live");
  assert.equal(await shared.getByLabel("Queue", { exact: true }).inputValue(), "medical_spanish");
  assert.equal(await shared.locator(`[data-testid="call-row-${ACTIVE_EN}"]`).count(), 0);
  assert.equal(await shared.locator(`[data-testid="call-row-${ENDED_ES}"]`).count(), 0);
});
