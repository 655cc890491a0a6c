// Access: without a key the dashboard asks for one; a wrong key is explained with a way
// out; the key is kept for this tab only (sessionStorage), never in localStorage.
import {
  assert, env, openWithKey, post, screenshot, scenario, shows,
} from "./harness.mjs";

const CALL = "bt-access-1";

await scenario("access", async ({ page, context }) => {
  await post("call_initiated", CALL, { media: "voice", queue_id: "legal_english" });

  await page.goto(`${env.dashboard}/`);
  const keyInput = page.getByLabel("API key", { exact: true });
  await keyInput.waitFor();
  await screenshot(page, "sign-in", { doc: true });

  await keyInput.fill("not-a-real-key");
  await keyInput.press("Enter");
  await page.getByRole("alert").first().waitFor();
  await shows(page, "connection", { "data-state": "disconnected" });
  await screenshot(page, "wrong-key");

  await page.getByRole("button", { name: "Enter another key" }).first().click();
  await keyInput.fill(env.supervisorKey);
  await keyInput.press("Enter");
  await shows(page, "connection", { "data-state": "connected" });
  await shows(page, `call-row-${CALL}`);

  const stored = await page.evaluate(() => ({
    local: JSON.stringify({ ...window.localStorage }),
    session: JSON.stringify({ ...window.sessionStorage }),
  }));
  assert.ok(stored.session.includes(env.supervisorKey), "the key is in sessionStorage");
  assert.ok(!stored.local.includes(env.supervisorKey), "the key is not in localStorage");

  // Another tab does not inherit it …
  const other = await context.newPage();
  await other.goto(`${env.dashboard}/`);
  await other.getByLabel("API key", { exact: true }).waitFor();
  await other.close();
  // … while the fragment hand-over works in a new tab and leaves the address bar clean.
  const third = await context.newPage();
  await openWithKey(third, "/");
  assert.ok(!third.url().includes(env.supervisorKey));
  await shows(third, `call-row-${CALL}`);
});
