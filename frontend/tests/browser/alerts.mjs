// An alert appears live on the alerts page (an answer after a wait past the SLA raises
// long_wait at once) and is acknowledged from the page with the supervisor's key.
import {
  assert, eventually, get, openWithKey, post, screenshot, scenario, shows,
} from "./harness.mjs";

const CALL = "bt-alert-1";

await scenario("alerts", async ({ page }) => {
  await openWithKey(page, "/alerts");

  await post("call_initiated", CALL, { media: "voice", queue_id: "medical_english" });
  await post("call_routed", CALL, { agent_id: "agent-2", routing_time: 1 });
  await post("call_answered", CALL, { wait_time: 95 }); // SLA 30 s: long_wait
  const alert = await eventually(async () => {
    const page = await get(`/api/alerts?call_id=${CALL}`);
    return page.data.find((a) => a.kind === "long_wait");
  }, "the long_wait alert in GET /api/alerts");

  const item = `alert-${alert.id}`;
  await shows(page, item, { "data-acknowledged": "false" });
  await shows(page, "alert-toast"); // the discreet notification of a new alert
  const badge = Number(await page.getByTestId("alert-badge").textContent());
  assert.ok(badge >= 1, `the unacknowledged count in the navigation: ${badge}`);
  await screenshot(page, "alerts-new");
  await page
    .locator(`[data-testid="${item}"]`)
    .getByRole("button", { name: "Acknowledge" })
    .click();
  await shows(page, item, { "data-acknowledged": "true" });
  await eventually(
    async () => {
      const badges = page.getByTestId("alert-badge");
      return (await badges.count()) === 0 || Number(await badges.textContent()) === badge - 1;
    },
    "the unacknowledged count going down by one",
  );

  const stored = await get(`/api/alerts?call_id=${CALL}`);
  const acknowledged = stored.data.find((a) => a.id === alert.id);
  assert.ok(acknowledged.acknowledged_at, "the service recorded the acknowledgement");
  assert.ok(acknowledged.acknowledged_by, "with the label of the key that acknowledged");
});
