// Open a call and see its timeline grow live: the timer worker's own sla_breached (a
// system event, from a queue with a 1 s SLA), then the producer's events as they are posted.
import {
  assert, assertNoReload, markDocument, openWithKey, post, screenshot, scenario, shows,
} from "./harness.mjs";

const CALL = "bt-detail-1";

await scenario("call_detail", async ({ page }) => {
  await post("call_initiated", CALL, { media: "video", queue_id: "demo_fast" });
  await openWithKey(page, `/calls/${CALL}`);
  await markDocument(page);
  await shows(page, "timeline-event-1", { "data-type": "call_initiated" });
  // Written by the timer worker about a second after the call started.
  await shows(page, "timeline-event-2", { "data-type": "sla_breached" });

  await post("call_routed", CALL, { agent_id: "agent-4", routing_time: 1.5 });
  await shows(page, "timeline-event-3", { "data-type": "call_routed" });
  await post("call_answered", CALL, { wait_time: 9 });
  await shows(page, "timeline-event-4", { "data-type": "call_answered" });
  await post("call_hold", CALL, {});
  await shows(page, "timeline-event-5", { "data-type": "call_hold" });
  await screenshot(page, "call-detail-live");

  await assertNoReload(page);
  const items = await page.locator('[data-testid^="timeline-event-"]').evaluateAll((els) =>
    els.map((el) => `${el.getAttribute("data-testid")}:${el.getAttribute("data-type")}`),
  );
  assert.deepEqual(
    [...items].sort(),
    [
      "timeline-event-1:call_initiated",
      "timeline-event-2:sla_breached",
      "timeline-event-3:call_routed",
      "timeline-event-4:call_answered",
      "timeline-event-5:call_hold",
    ],
    "each event shown once",
  );
  // The call's flag is on the page too.
  await page.getByText(/sla[ _]breached/i).first().waitFor({ timeout: 15_000 });
});
