// `closeout --sandbox` end to end through a web terminal server (Debian's shellinabox, started by
// tests/sandbox_web.rs): Debian's chromium opens the page, the explorer's screen arrives with the sandbox
// countdown, a key reaches the app, and the idle limit ends the session on the goodbye screen.
// Usage: node web/test/sandbox.mjs URL. Exit 0 when every check passed; failures are lines on stderr.
import { chromium } from "playwright-core";

const url = process.argv[2];
if (!url) {
  console.error("usage: node web/test/sandbox.mjs URL");
  process.exit(2);
}
const TIMEOUT = 30000;
const browser = await chromium.launch({
  executablePath: process.env.CLOSEOUT_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const text = () => page.evaluate(() => document.body.innerText);
  const waitText = (needle, what) =>
    page.waitForFunction((n) => document.body.innerText.includes(n), needle, { timeout: TIMEOUT })
      .catch(async () => { throw new Error(`${what}: "${needle}" never shown; page: ${(await text()).slice(0, 600)}`); });
  await page.goto(url, { waitUntil: "load", timeout: TIMEOUT });
  await waitText("left · idle", "the sandbox countdown in the header");
  await waitText("READY WITH ACCEPTED RISK", "the verdict");
  // A key reaches the app: the help overlay opens, and Escape closes it.
  await page.keyboard.type("?");
  await waitText("Help: every key", "help after ?");
  await page.keyboard.press("Escape");
  // Then nobody types: the idle limit ends the session on the goodbye screen.
  await waitText("Thank you for trying closeout", "the goodbye screen");
  const bye = await text();
  if (!bye.includes("without a key press")) failures.push(`the goodbye does not say why: ${bye.slice(0, 400)}`);
} catch (e) {
  failures.push(String(e).split("\n")[0]);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`sandbox web test: ${f}`);
  process.exit(1);
}
console.log("sandbox web test: passed through the web terminal");
