// Every page, through the navigation links, with a few calls in every state: each page
// renders its data without an uncaught error, and is screenshotted (the README's images
// with SAVE_DOC_SCREENSHOTS=1).
import {
  assert, callUntil, env, eventually, get, openWithKey, post, screenshot, scenario, shows,
} from "./harness.mjs";

const QUEUES = ["medical_spanish", "medical_english", "legal_spanish", "legal_english"];

async function seed() {
  await callUntil("c-1001", "active", { queue: "medical_spanish", media: "video", agent: "agent-7", waitTime: 12 });
  await callUntil("c-1002", "on_hold", { queue: "medical_english", agent: "agent-3", waitTime: 8 });
  await callUntil("c-1003", "waiting", { queue: "legal_spanish" });
  await callUntil("c-1004", "routed", { queue: "medical_spanish", agent: "agent-2" });
  await callUntil("c-1005", "ended", { queue: "legal_english", media: "video", agent: "agent-5", duration: 312 });
  await callUntil("c-1006", "active", { queue: "medical_english", agent: "agent-8", waitTime: 41 });
  await callUntil("c-1007", "ended", { queue: "medical_spanish", agent: "agent-1", duration: 6 });
  await post("call_initiated", "c-1008", { media: "voice", queue_id: "legal_english" });
  await post("call_ended", "c-1008", { end_reason: "abandoned", duration: 25 });
}

async function nav(page, name, pathname) {
  await page.getByRole("link", { name, exact: true }).first().click();
  await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
}

await scenario("tour", async ({ page }) => {
  await seed();
  const alert = await eventually(async () => {
    const listed = await get("/api/alerts?call_id=c-1006");
    return listed.data.find((a) => a.kind === "long_wait");
  }, "the long_wait alert of c-1006");

  await openWithKey(page, "/");
  assert.ok(!page.url().includes(env.supervisorKey), "the key is removed from the address bar");
  await page.getByLabel("Status", { exact: true }).selectOption("");
  for (const id of ["c-1001", "c-1002", "c-1003", "c-1004", "c-1005", "c-1006", "c-1007", "c-1008"]) {
    await shows(page, `call-row-${id}`);
  }
  await shows(page, "call-row-c-1002", { "data-status": "on_hold" });
  await screenshot(page, "calls", { doc: true });

  const row = page.locator('[data-testid="call-row-c-1001"]');
  const links = row.getByRole("link");
  await ((await links.count()) > 0 ? links.first() : row).click();
  await page.waitForURL((url) => url.pathname === "/calls/c-1001", { timeout: 15_000 });
  await shows(page, "timeline-event-3", { "data-type": "call_answered" });
  await screenshot(page, "call-detail", { doc: true });

  await nav(page, "Alerts", "/alerts");
  await shows(page, `alert-${alert.id}`, { "data-acknowledged": "false" });
  await screenshot(page, "alerts", { doc: true });

  await nav(page, "Queues", "/queues");
  for (const queue of QUEUES) await shows(page, `queue-card-${queue}`);
  await screenshot(page, "queues", { doc: true });

  await nav(page, "Agents", "/agents");
  await shows(page, "agent-row-agent-7");
  await shows(page, "agent-row-agent-3");
  await screenshot(page, "agents", { doc: true });

  await nav(page, "Operations", "/ops");
  // Polled every few seconds; every event posted above has been relayed by now.
  await eventually(
    async () => (await page.getByTestId("outbox-pending").textContent())?.trim() === "0",
    "the outbox panel showing 0 pending",
  );
  await shows(page, "admin-needed"); // dead letters need the admin scope: said plainly
  // The publish-rate chart draws a line once a second sample is in (polled every 3 s).
  await eventually(async () => {
    const label = await page.getByRole("img", { name: /^Events published/ }).getAttribute("aria-label");
    return Number(/: (\d+) samples/.exec(label ?? "")?.[1] ?? 0) >= 2;
  }, "two samples in the publish-rate chart");
  await screenshot(page, "ops", { doc: true });

  await nav(page, "Calls", "/");
  await shows(page, "call-row-c-1003");
  await shows(page, "connection", { "data-state": "connected" });
});
