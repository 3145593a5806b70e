#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// End-to-end test of the chat example (ctest chat.e2e): siocodec_chat on a free port, and three
// real browser pages in headless Chromium (playwright-core, no browser download: the Debian
// package's /usr/bin/chromium) running the page with the real socket.io-client bundle.
//
//   node e2e.js --server path/to/siocodec_chat [--chromium /usr/bin/chromium]
//               [--artifacts DIR] [--headed 1]
//
// alice and bob (WebSocket after the upgrade) see each other in the user list, see each other
// typing, chat (the sender's ack says "delivered to 1"), alice sends an image that bob receives
// byte-identical (SHA-256 and bytes compared), alice joins and leaves a room; carol, forced onto
// long-polling (her engine's transport must be "polling"), chats with alice and sends her an
// image too. Screenshots of the pages go to DIR (printed). Exit 0 on success, 1 on any failure
// (with the step that failed), 77 (skipped) when node_modules is missing.
"use strict";

const { spawn } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const started = Date.now();
const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const serverPath = args.server;
const chromiumPath = args.chromium || "/usr/bin/chromium";
const artifacts = path.resolve(args.artifacts || "artifacts");

let playwright;
try {
  playwright = require("playwright-core");
} catch (e) {
  console.log("SKIP: playwright-core is not installed (npm ci in examples/chat, or tools/setup.sh)");
  process.exit(77);
}
if (!serverPath || !fs.existsSync(serverPath)) {
  console.error(`FAIL: no server binary (--server ${serverPath})`);
  process.exit(1);
}
if (!fs.existsSync(chromiumPath)) {
  console.error(`FAIL: no Chromium at ${chromiumPath} (apt-get install chromium, or --chromium)`);
  process.exit(1);
}

const WAIT = 10000;  // ms for any one thing to show up in a page
let server = null;
let browser = null;
let serverLog = "";
let current = "starting";

function log(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`);
}

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && server.exitCode === null) server.kill("SIGKILL");
}

async function fail(msg) {
  console.error(`FAIL (${current}): ${msg}`);
  if (serverLog) console.error(`--- server output ---\n${serverLog}`);
  await cleanup();
  process.exit(1);
}

// Never hang: the whole test has 75 s (ctest's TIMEOUT is 90).
const watchdog = setTimeout(() => fail("timed out after 75 s"), 75000);

function startServer() {
  return new Promise((resolve, reject) => {
    // --exit-with-stdin: the server also ends if this process dies without killing it.
    // Short heartbeats: a closed polling tab is noticed by its ping timeout, within 5 s.
    server = spawn(serverPath, ["--port", "0", "--exit-with-stdin", "1",
                                "--ping-interval", "2500", "--ping-timeout", "2500"],
                   { stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => reject(new Error("the server printed no URL within 10 s")), 10000);
    const onData = (chunk) => {
      serverLog += chunk.toString();
      const m = /chat: open (http:\/\/\S+)/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
    server.on("error", reject);
  });
}

async function step(name, fn) {
  current = name;
  const t = Date.now();
  await fn();
  log(`ok  ${name} (${Date.now() - t} ms)`);
}

// Waits until some element matching `selector` contains `text` (or, with `absent`, none does).
function waitText(page, selector, text, absent = false) {
  return page.waitForFunction(
    ([sel, t, no]) => {
      const found = [...document.querySelectorAll(sel)].some((e) => e.textContent.includes(t));
      return no ? !found : found;
    },
    [selector, text, absent], { timeout: WAIT });
}

async function userList(page) {
  return page.$$eval("#users li", (lis) => lis.map((li) => li.textContent));
}

// Draws a picture in the page and returns its PNG bytes (different for every `seed`).
async function makePng(page, label, hue) {
  const b64 = await page.evaluate(async ([text, h]) => {
    const c = document.createElement("canvas");
    c.width = 240;
    c.height = 140;
    const g = c.getContext("2d");
    const grad = g.createLinearGradient(0, 0, 240, 140);
    grad.addColorStop(0, `hsl(${h}, 80%, 55%)`);
    grad.addColorStop(1, `hsl(${(h + 90) % 360}, 80%, 45%)`);
    g.fillStyle = grad;
    g.fillRect(0, 0, 240, 140);
    for (let i = 0; i < 40; i++) {
      g.fillStyle = `hsla(${(h + i * 9) % 360}, 90%, 70%, 0.5)`;
      g.beginPath();
      g.arc((i * 53) % 240, (i * 37) % 140, 6 + (i % 5) * 3, 0, 2 * Math.PI);
      g.fill();
    }
    g.fillStyle = "#fff";
    g.font = "bold 24px sans-serif";
    g.textAlign = "center";
    g.fillText(text, 120, 78);
    const blob = await new Promise((r) => c.toBlob(r, "image/png"));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, [label, hue]);
  return Buffer.from(b64, "base64");
}

// The last image `page` received: its bytes and SHA-256 as the page computes them, and the size
// the browser decoded it to.
async function receivedImage(page, count) {
  await page.waitForFunction((n) => window.chatDebug.images.length >= n, count, { timeout: WAIT });
  await page.waitForFunction(() => {
    const imgs = document.querySelectorAll("#log .msg:not(.own) img");
    return imgs.length > 0 && imgs[imgs.length - 1].complete &&
           imgs[imgs.length - 1].naturalWidth > 0;
  }, null, { timeout: WAIT });
  return page.evaluate(async () => {
    const im = window.chatDebug.images[window.chatDebug.images.length - 1];
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", im.bytes));
    const imgs = document.querySelectorAll("#log .msg:not(.own) img");
    let s = "";
    for (const b of im.bytes) s += String.fromCharCode(b);
    return {
      nick: im.nick, name: im.name, type: im.type, b64: btoa(s),
      sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
      width: imgs[imgs.length - 1].naturalWidth,
    };
  });
}

async function checkImage(receiver, count, sent, from, name) {
  const got = await receivedImage(receiver, count);
  const want = crypto.createHash("sha256").update(sent).digest("hex");
  if (got.sha256 !== want) throw new Error(`image SHA-256 ${got.sha256}, sent ${want}`);
  if (!Buffer.from(got.b64, "base64").equals(sent)) throw new Error("image bytes differ from those sent");
  if (got.nick !== from || got.name !== name || got.type !== "image/png") {
    throw new Error(`image metadata ${JSON.stringify([got.nick, got.name, got.type])}`);
  }
  if (got.width !== 240) throw new Error(`image decoded to width ${got.width}, want 240`);
  return want;
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  let url;
  await step("server starts", async () => {
    url = await startServer();
  });
  await step("chromium starts", async () => {
    browser = await playwright.chromium.launch({
      executablePath: chromiumPath, args: ["--no-sandbox"], headless: !args.headed, timeout: 30000,
    });
  });
  // One context per user: separate browsers, as far as cookies and connections go.
  const errors = [];
  const open = async (query) => {
    const ctx = await browser.newContext({ viewport: { width: 960, height: 620 } });
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(`${query}: ${e.message}`));
    log(`    opening ${query}`);
    await page.goto(`${url}?${query}`, { timeout: WAIT });
    log(`    loaded ${query}`);
    return page;
  };

  let alice, bob, carol;
  await step("alice and bob see each other in the user list", async () => {
    alice = await open("nick=alice");
    bob = await open("nick=bob");
    await waitText(alice, "#users li", "bob");
    await waitText(bob, "#users li", "alice");
    await waitText(alice, "#users li", "alice (you)");
  });

  await step("a nickname that is too long is refused at CONNECT (auth)", async () => {
    const page = await alice.context().newPage();
    page.on("pageerror", (e) => errors.push(`refused page: ${e.message}`));
    await page.goto(`${url}?nick=${"x".repeat(40)}`, { timeout: WAIT });
    await waitText(page, "#login-error", "that nickname is too long");
    if (!(await page.isVisible("#login")) || (await page.isVisible("#chat"))) {
      throw new Error("the refused page does not show the nickname form");
    }
    await page.close();
    await waitText(bob, "#users li", "xxxx", true);
  });

  await step("alice and bob upgrade to WebSocket", async () => {
    for (const p of [alice, bob]) {
      await p.waitForFunction(() => window.chatDebug.transport() === "websocket", null,
                              { timeout: WAIT });
    }
  });

  await step("bob sees alice typing", async () => {
    await alice.click("#text");
    await alice.keyboard.type("Hi Bob! Did the build pass?", { delay: 5 });
    await waitText(bob, "#typing", "alice is typing");
  });

  await step("alice's message reaches bob, and the ack confirms delivery", async () => {
    await alice.keyboard.press("Enter");
    await waitText(bob, "#log .msg .text", "Hi Bob! Did the build pass?");
    await waitText(alice, "#log .msg.own .meta", "delivered to 1");
    await bob.waitForFunction(() => document.querySelector("#typing").textContent === "", null,
                              { timeout: WAIT });
  });

  await step("bob answers", async () => {
    await bob.fill("#text", "All green — même en UTF-8 ✓ Send me the logo?");
    await bob.press("#text", "Enter");
    await waitText(alice, "#log .msg .text", "All green — même en UTF-8 ✓");
  });

  await step("alice's image reaches bob byte-identical", async () => {
    const png = await makePng(alice, "siocodec ♥ Beast", 210);
    await alice.setInputFiles("#file", { name: "logo.png", mimeType: "image/png", buffer: png });
    const sha = await checkImage(bob, 1, png, "alice", "logo.png");
    await waitText(alice, "#log .msg.own .meta", "delivered to 1");
    log(`    ${png.length} bytes, sha256 ${sha}`);
  });

  await step("bob thanks alice, who starts typing again", async () => {
    await bob.fill("#text", "Got it, thanks! It arrived byte for byte.");
    await bob.press("#text", "Enter");
    await waitText(alice, "#log .msg .text", "Got it, thanks!");
    await alice.click("#text");
    await alice.keyboard.type("Great, ", { delay: 5 });
    await waitText(bob, "#typing", "alice is typing");
    // The conversation so far, as bob sees it (docs/images/chat.png is one of these).
    const file = path.join(artifacts, "conversation.png");
    await bob.screenshot({ path: file });
    console.log(`screenshot: ${file}`);
    await alice.keyboard.type("let's try a room.", { delay: 5 });
    await alice.keyboard.press("Enter");
    await waitText(bob, "#log .msg .text", "Great, let's try a room.");
  });

  await step("alice joins #dev and leaves it (acks)", async () => {
    await alice.fill("#join-room", "dev");
    await alice.press("#join-room", "Enter");
    await waitText(alice, "#room-name", "#dev");
    await waitText(bob, "#users li", "alice", true);
    await waitText(bob, "#log li.system", "alice left #lobby");
    const users = await userList(alice);
    if (users.length !== 1) throw new Error(`#dev has users ${JSON.stringify(users)}`);
    await alice.click("#leave");
    await waitText(alice, "#room-name", "#lobby");
    await waitText(bob, "#users li", "alice");
    await waitText(alice, "#users li", "bob");
  });

  await step("carol, on long-polling, chats with alice on WebSocket", async () => {
    carol = await open("nick=carol&transport=polling");
    await waitText(carol, "#users li", "alice");
    await waitText(alice, "#users li", "carol");
    const t = await carol.evaluate(() => window.chatDebug.transport());
    if (t !== "polling") throw new Error(`carol's transport is ${t}, not polling`);
    const a = await alice.evaluate(() => window.chatDebug.transport());
    if (a !== "websocket") throw new Error(`alice's transport is ${a}, not websocket`);
    await carol.fill("#text", "Hello from long-polling!");
    await carol.press("#text", "Enter");
    await waitText(alice, "#log .msg .text", "Hello from long-polling!");
    await waitText(carol, "#log .msg.own .meta", "delivered to 2");
    await alice.fill("#text", "Welcome carol, this came over a WebSocket");
    await alice.press("#text", "Enter");
    await waitText(carol, "#log .msg .text", "Welcome carol, this came over a WebSocket");
  });

  await step("carol's image (over polling) reaches alice byte-identical", async () => {
    const png = await makePng(carol, "polling too", 20);
    await carol.setInputFiles("#file", { name: "carol.png", mimeType: "image/png", buffer: png });
    await checkImage(alice, 1, png, "carol", "carol.png");
    await waitText(carol, "#log .msg.own .meta", "delivered to 2");
    const t = await carol.evaluate(() => window.chatDebug.transport());
    if (t !== "polling") throw new Error(`carol's transport became ${t}`);
  });

  await step("alice loses her transport: on recovery she gets bob's message from meanwhile", async () => {
    const id = await alice.evaluate(() => window.chatDebug.id());
    // Reconnects after 3 s: bob writes in between.
    await alice.evaluate(() => window.chatDebug.dropTransport(3000));
    await waitText(bob, "#users li", "alice", true);
    await bob.fill("#text", "Said while alice was away");
    await bob.press("#text", "Enter");
    await waitText(alice, "#log .msg .text", "Said while alice was away");
    await waitText(bob, "#users li", "alice");
    if (!(await alice.evaluate(() => window.chatDebug.recovered()))) {
      throw new Error("alice's session was not recovered");
    }
    const again = await alice.evaluate(() => window.chatDebug.id());
    if (again !== id) throw new Error(`alice's id changed: ${id} -> ${again}`);
    if ((await alice.evaluate(() => window.chatDebug.room())) !== "lobby") {
      throw new Error("alice is not back in #lobby");
    }
  });

  await step("screenshots", async () => {
    for (const [name, page] of [["alice", alice], ["bob", bob], ["carol", carol]]) {
      const file = path.join(artifacts, `${name}.png`);
      await page.screenshot({ path: file });
      console.log(`screenshot: ${file}`);
    }
  });

  await step("carol closes her tab: after her ping timeout, she is gone from the lists", async () => {
    await carol.context().close();
    await waitText(alice, "#users li", "carol", true);
    await waitText(bob, "#users li", "carol", true);
    await waitText(alice, "#log li.system", "carol left #lobby");
  });

  await step("bob closes his tab (WebSocket): he is gone at once", async () => {
    await bob.context().close();
    await waitText(alice, "#users li", "bob", true);
  });

  if (errors.length) throw new Error(`errors in the pages: ${errors.join("; ")}`);

  await step("the server stops cleanly on SIGTERM", async () => {
    await browser.close();
    browser = null;
    const code = await new Promise((resolve) => {
      const t = setTimeout(() => resolve("no exit within 5 s"), 5000);
      server.once("exit", (c, sig) => { clearTimeout(t); resolve(sig || c); });
      server.kill("SIGTERM");
    });
    if (code !== 0) throw new Error(`exit status ${code}`);
  });

  clearTimeout(watchdog);
  log(`PASS chat.e2e in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
