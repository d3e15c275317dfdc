// Drives Debian's chromium with playwright-core against a site `closeout site` wrote, served on localhost
// (and one page from file://). Usage: node web/test/site.mjs SITE_DIR. Exit 0 when every check passed; each
// failure is one line on stderr naming the scenario and what went wrong.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(process.argv[2] || "");
if (!process.argv[2] || !fs.existsSync(path.join(root, "index.html"))) {
  console.error("usage: node web/test/site.mjs SITE_DIR (a directory `closeout site` wrote)");
  process.exit(2);
}
const executablePath = process.env.CLOSEOUT_CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 15000;
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
                ".md": "text/markdown", ".cast": "application/x-asciicast" };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const file = path.join(root, decodeURIComponent(url.pathname));
  if (!file.startsWith(root + path.sep) && file !== root) {
    res.writeHead(403).end();
    return;
  }
  const target = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, "index.html") : file;
  if (!fs.existsSync(target)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(target)] || "application/octet-stream" });
  fs.createReadStream(target).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

// The steps of a recording: its marker labels and times on the player's clock, which caps every pause
// between events at the page's idle limit (read from the page).
function markers(castText, limit) {
  let last = 0;
  let clock = 0;
  const out = [];
  for (const e of castText.split("\n").slice(1).filter(Boolean).map((l) => JSON.parse(l))) {
    clock += Math.min(e[0] - last, limit);
    last = e[0];
    if (e[1] === "m") out.push({ time: clock, label: e[2] });
  }
  return out;
}

async function openPage(url, where, viewport) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: "load", timeout: TIMEOUT });
  return { context, page, errors, where };
}

const indexHtml = fs.readFileSync(path.join(root, "index.html"), "utf8");
const scenarios = [...new Set([...indexHtml.matchAll(/<li><a href="([^"/]+)\/index.html">/g)].map((m) => m[1]))];
if (scenarios.length === 0) fail("index.html", "no scenario in the selector");

try {
  // The front page: the selector is a list of links a keyboard reaches.
  {
    const { context, page, errors } = await openPage(base + "index.html", "index");
    const links = await page.locator("nav.scenarios a").count();
    if (links !== scenarios.length) fail("index", `selector has ${links} links for ${scenarios.length} scenarios`);
    await page.keyboard.press("Tab"); // the skip link
    await page.keyboard.press("Tab"); // the brand link
    await page.keyboard.press("Tab"); // the first scenario
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute("href"));
    if (focused !== `${scenarios[0]}/index.html`) fail("index", `Tab reaches ${focused}, not the first scenario`);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/${scenarios[0]}/index.html`, { timeout: TIMEOUT });
    if (errors.length) fail("index", `console errors: ${errors.join(" | ")}`);
    await context.close();
  }

  for (const name of scenarios) {
    const cast = fs.readFileSync(path.join(root, name, "walkthrough.cast"), "utf8");
    const { context, page, errors } = await openPage(`${base}${name}/index.html`, name);
    try {
      await page.waitForSelector("body[data-tour=ready]", { timeout: TIMEOUT });
      const marks = markers(cast, await page.evaluate(() => window.CLOSEOUT_IDLE_LIMIT));
      const steps = await page.locator("#steps > li").count();
      if (steps !== marks.length) fail(name, `${steps} narration steps for ${marks.length} markers`);
      // Play: the player stops at the first marker and the narration shows step 1.
      await page.click("#play");
      await page.waitForSelector("body[data-step='1']", { timeout: TIMEOUT });
      await page.waitForFunction(() => document.getElementById("play").textContent === "Play", null, { timeout: TIMEOUT });
      const at = await page.evaluate(() => window.CLOSEOUT_PLAYER.getCurrentTime());
      if (Math.abs(at - marks[0].time) > 0.5) fail(name, `paused at ${at}s, the first marker is at ${marks[0].time}s`);
      const shown = await page.locator("#steps > li.current .goto").innerText();
      if (!shown.includes(marks[0].label.replace(/^\d+\.\s*/, ""))) fail(name, `step 1 shows "${shown}", marker "${marks[0].label}"`);
      if (!(await page.locator("#steps > li.current .body").isVisible())) fail(name, "step 1's narration is hidden");
      // Next moves both: the narration to step 2, the player to marker 2.
      if (marks.length > 1) {
        await page.click("#next-step");
        await page.waitForSelector("body[data-step='2']", { timeout: TIMEOUT });
        await page.waitForFunction((t) => Math.abs(window.CLOSEOUT_PLAYER.getCurrentTime() - t) < 0.5, marks[1].time, { timeout: TIMEOUT });
        // Keyboard: Previous, reached with the keyboard and pressed with Enter, moves both back.
        await page.focus("#prev-step");
        await page.keyboard.press("Enter");
        await page.waitForSelector("body[data-step='1']", { timeout: TIMEOUT });
        await page.waitForFunction((t) => Math.abs(window.CLOSEOUT_PLAYER.getCurrentTime() - t) < 0.5, marks[0].time, { timeout: TIMEOUT });
        // Any step from the list: the last one.
        const last = marks.length;
        await page.click(`#step-${last} button.goto`);
        await page.waitForSelector(`body[data-step='${last}']`, { timeout: TIMEOUT });
        await page.waitForFunction((t) => Math.abs(window.CLOSEOUT_PLAYER.getCurrentTime() - t) < 0.5, marks[last - 1].time, { timeout: TIMEOUT });
      }
      // The downloads are there.
      for (const href of await page.locator("a[download]").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
        const r = await page.request.get(`${base}${name}/${href}`);
        if (r.status() !== 200) fail(name, `download ${href}: HTTP ${r.status()}`);
      }
      const verdict = await page.locator("p.verdict").innerText();
      if (!/Verdict: . (ready for release|ready with accepted risk|blocked)/.test(verdict)) fail(name, `verdict line "${verdict}"`);
      if (errors.length) fail(name, `console errors: ${errors.join(" | ")}`);
    } catch (e) {
      fail(name, String(e).split("\n")[0]);
    }
    await context.close();
  }

  // A phone: one column, nothing wider than the screen.
  {
    const { context, page, errors } = await openPage(`${base}${scenarios[0]}/index.html`, "phone", { width: 390, height: 844 });
    await page.waitForSelector("body[data-tour=ready]", { timeout: TIMEOUT });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 0) fail("phone", `the page is ${wide}px wider than a 390px screen`);
    const [a, b] = await page.evaluate(() => [document.getElementById("player").getBoundingClientRect(),
      document.querySelector(".narration").getBoundingClientRect()].map((r) => ({ top: r.top, bottom: r.bottom })));
    if (!(b.top >= a.bottom - 1)) fail("phone", "the narration is not below the player");
    if (errors.length) fail("phone", `console errors: ${errors.join(" | ")}`);
    await context.close();
  }

  // From file://, with no server: the player still plays to the first marker.
  {
    const url = pathToFileURL(path.join(root, scenarios[0], "index.html")).href;
    const { context, page, errors } = await openPage(url, "file://");
    await page.waitForSelector("body[data-tour=ready]", { timeout: TIMEOUT });
    await page.click("#play");
    await page.waitForSelector("body[data-step='1']", { timeout: TIMEOUT });
    if (errors.length) fail("file://", `console errors: ${errors.join(" | ")}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

if (failures.length) {
  for (const f of failures) console.error(`site test: ${f}`);
  process.exit(1);
}
console.log(`site test: ${scenarios.length} scenarios passed in ${path.basename(executablePath)}`);
