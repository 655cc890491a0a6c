// Post events over HTTP and see the row appear and change status without a reload, and
// without the list being fetched again for each event.
import {
  assert, assertNoReload, markDocument, openWithKey, post, screenshot, scenario,
  selectFilter, shows,
} from "./harness.mjs";

const CALL = "bt-live-1";

await scenario("live_calls", async ({ page }) => {
  await openWithKey(page, "/");
  await selectFilter(page, "Status", ""); // every status, ended included
  await markDocument(page);

  const listFetches = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && url.pathname === "/api/calls") listFetches.push(url.search);
  });

  await post("call_initiated", CALL, { media: "video", queue_id: "medical_spanish" });
  await shows(page, `call-row-${CALL}`, { "data-status": "waiting" });
  await post("call_routed", CALL, { agent_id: "agent-7", routing_time: 2.5 });
  await shows(page, `call-row-${CALL}`, { "data-status": "routed" });
  await post("call_answered", CALL, { wait_time: 12 });
  await shows(page, `call-row-${CALL}`, { "data-status": "active" });
  await post("call_hold", CALL, {});
  await shows(page, `call-row-${CALL}`, { "data-status": "on_hold" });
  await screenshot(page, "calls-live");
  await post("call_resumed", CALL);
  await shows(page, `call-row-${CALL}`, { "data-status": "active" });
  await post("call_ended", CALL, { end_reason: "completed", duration: 95 });
  await shows(page, `call-row-${CALL}`, { "data-status": "ended" });

  await assertNoReload(page);
  assert.equal(await page.locator(`[data-testid="call-row-${CALL}"]`).count(), 1, "one row");
  assert.ok(
    listFetches.length < 6,
    `the list was fetched ${listFetches.length} times for 6 events: ${listFetches.join(" ")}`,
  );
});
