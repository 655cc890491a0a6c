// Framing: no other page can show the dashboard in a frame (Content-Security-Policy
// `frame-ancestors 'none'`, X-Frame-Options DENY), so its acknowledge and redeliver buttons
// cannot be clickjacked; the same pages still open as the top-level document.
import { assert, env, eventually, openWithKey, scenario, shows } from "./harness.mjs";

const PAGES = ["/alerts", "/ops", "/"];

/** In the page: is this document the dashboard (its title, or one of its elements)? */
const isDashboard = () =>
  document.title.startsWith("Call center") || document.querySelector("[data-testid], #api-key") !== null;

await scenario("framing", async ({ page, context }) => {
  assert.ok(env.control, "CONTROL_URL is not set (run the scenarios through pytest)");
  await openWithKey(page, "/alerts");
  await shows(page, "connection", { "data-state": "connected" });
  assert.ok(await page.evaluate(isDashboard), "the dashboard, as the top-level document");

  // Another origin (the pytest control server) framing three pages, then a page of its own
  // that has no protection. Its own tab, outside the harness's watch: the refusals it logs
  // are what this scenario expects.
  const attacker = await context.newPage();
  const refusals = [];
  attacker.on("console", (message) => {
    if (message.text().includes("frame-ancestors")) refusals.push(message.text());
  });
  const query = PAGES.map((pathname) => `src=${encodeURIComponent(env.dashboard + pathname)}`).join("&");
  await attacker.goto(`${env.control}/frames?${query}`);

  const children = () => attacker.frames().filter((frame) => frame !== attacker.mainFrame());
  await eventually(async () => {
    const control = children().find((frame) => frame.url().endsWith("/framable"));
    return control && (await control.evaluate(() => document.getElementById("framable") !== null));
  }, "the unprotected page renders in its frame (so frames do load)");
  await eventually(
    async () => refusals.length >= PAGES.length,
    `the browser refuses all ${PAGES.length} frames of the dashboard (frame-ancestors)`,
  );
  const framed = children().filter((frame) => !frame.url().endsWith("/framable"));
  assert.equal(framed.length, PAGES.length);
  for (const frame of framed) {
    const rendered = await frame.evaluate(isDashboard).catch(() => false);
    assert.ok(!rendered, `the dashboard rendered inside a frame (${frame.url()})`);
  }
  await attacker.close();
});
