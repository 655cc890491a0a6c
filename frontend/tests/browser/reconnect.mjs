// Stop the realtime service: the connection indicator says so. Events posted meanwhile
// are missed by the socket; once the service is back, the table resyncs from the API
// and then continues live.
import {
  assert, control, markDocument, assertNoReload, openWithKey, post, screenshot, scenario,
  selectFilter, shows,
} from "./harness.mjs";

const KEPT = "bt-reconnect-1";
const NEW = "bt-reconnect-2";

await scenario("reconnect", async ({ page }) => {
  // Every state the indicator takes, however briefly, recorded by the page itself.
  await page.addInitScript(() => {
    window.__connectionStates = [];
    const record = () => {
      const el = document.querySelector('[data-testid="connection"]');
      const state = el?.getAttribute("data-state");
      const seen = window.__connectionStates;
      if (state && seen[seen.length - 1] !== state) seen.push(state);
    };
    new MutationObserver(record).observe(document, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"],
    });
  });
  await openWithKey(page, "/");
  await selectFilter(page, "Status", "");
  await markDocument(page);
  await post("call_initiated", KEPT, { media: "voice", queue_id: "legal_spanish" });
  await shows(page, `call-row-${KEPT}`, { "data-status": "waiting" });

  await control("realtime", "stop");
  await page.waitForFunction(() => window.__connectionStates.includes("disconnected"), null,
    { timeout: 15_000 });
  await shows(page, "connection", { "data-state": "disconnected" }).catch(async () => {
    // Retrying counts as not connected too, as long as it showed disconnected first.
    await shows(page, "connection", { "data-state": "connecting" }, 1_000);
  });

  await post("call_routed", KEPT, { agent_id: "agent-5", routing_time: 1 });
  await post("call_answered", KEPT, { wait_time: 3 });
  await post("call_initiated", NEW, { media: "video", queue_id: "legal_spanish" });
  await screenshot(page, "calls-disconnected");
  const meanwhile = await page
    .locator(`[data-testid="call-row-${KEPT}"]`)
    .getAttribute("data-status");
  console.log(`while the realtime service was down the row showed: ${meanwhile}`);

  await control("realtime", "start");
  await shows(page, "connection", { "data-state": "connected" }, 30_000);
  await shows(page, `call-row-${KEPT}`, { "data-status": "active" });
  await shows(page, `call-row-${NEW}`, { "data-status": "waiting" });

  // … and live again after the resync.
  await post("call_hold", KEPT, {});
  await shows(page, `call-row-${KEPT}`, { "data-status": "on_hold" });
  await post("call_routed", NEW, { agent_id: "agent-6", routing_time: 2 });
  await shows(page, `call-row-${NEW}`, { "data-status": "routed" });
  await assertNoReload(page);
  assert.equal(await page.locator(`[data-testid="call-row-${KEPT}"]`).count(), 1);
  const states = await page.evaluate(() => window.__connectionStates);
  console.log(`connection states seen: ${states.join(" → ")}`);
});
