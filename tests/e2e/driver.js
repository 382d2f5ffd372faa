#!/usr/bin/env node
// Drive the Microsoft 365 Agents Playground in headless Chromium, as a person would.
//
//   node tests/e2e/driver.js scenario.json
//
// The scenario (written by tests/e2e/test_playground.py) is JSON:
//   {"name": "deviation", "url": "http://127.0.0.1:56150/", "chromium": "/usr/bin/chromium",
//    "userDataDir": "/tmp/…", "screenshotDir": "test-artifacts/e2e", "timeoutMs": 15000,
//    "steps": [ … ]}
// Steps, run in order:
//   {"send": "Vem kallar till Arena?"}        type in the chat box and press "Send Message"
//   {"click": "Nästa"}                          press the newest card button with that title
//   {"fill": {"Kommun": "Vetlanda", …}}         fill in the newest card that has these labels:
//        text and multi-line inputs take a string, dates "YYYY-MM-DD" (picked in the calendar),
//        drop-downs the title of the option, check-box lists a list of titles, toggles true/false
//   {"expect": "text"}                          the text appears in what the bot sent since the
//        last send/click: a new message, or the card the button was on (cards are updated in place)
//   {"expect": "text", "sameCard": true}        …and it must be in the card the button was on, with no
//        new card posted: proves the bot's updateActivity replaced the card in place
//   {"expectMatch": "AVV-\\d{4}-\\d{4}"}          the same with a regular expression
//   {"screenshot": "label"}                     save <screenshotDir>/<name>-<label>.png
//   {"pause": 2000}                             wait (milliseconds), e.g. before a picture
//   {"measure": "label"}                        measure the card on screen (the newest if one came since the
//        last send/click, else the one pressed): its size, elements running past its edges, text or values cut off (scrollWidth >
//        clientWidth), buttons outside it; logged as {"measured": {...}} for the test to assert on
//   {"expectValue": {"Label": "text"}}          an input of the newest card with that label holds the text
// At the end <screenshotDir>/<name>.png is saved; on failure <name>-failure.png.
//
// stdout: one JSON object per line ({"step": …, "ms": …}), the last one {"ok": true|false, …}.
// Exit code 0 when every step passed, 1 when a step failed, 2 for a bad scenario.
"use strict";

const fs = require("fs");
const path = require("path");

const REPO = path.resolve(__dirname, "..", "..");
const { chromium } = require(path.join(REPO, "node_modules", "playwright-core"));

const BOT_MESSAGE = ".fai-OutputCard"; // every bot message in the Playground's chat (text or card)
const CARD = ".ac-adaptiveCard";
const EDITOR = '[data-lexical-editor="true"]'; // the chat box (the log panel is contenteditable too)
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"];

function log(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

class StepError extends Error {}

class Driver {
  constructor(page, scenario) {
    this.page = page;
    this.timeout = scenario.timeoutMs || 15000;
    this.mark = { messages: 0, cards: 0, target: -1, what: "page load" };
  }

  botMessages() {
    return this.page.locator(BOT_MESSAGE);
  }

  // What the bot has shown so far: the text of every bot message, and how many cards there are.
  async snapshot() {
    return this.page.evaluate(([msgSel, cardSel]) => ({
      messages: [...document.querySelectorAll(msgSel)].map((m) => m.innerText),
      cards: document.querySelectorAll(cardSel).length,
    }), [BOT_MESSAGE, CARD]);
  }

  async setMark(what, target = -1) {
    const snap = await this.snapshot();
    this.mark = { messages: snap.messages.length, cards: snap.cards, target, what };
  }

  async send(text) {
    await this.setMark(`sending "${text}"`);
    await this.page.locator(EDITOR).click();
    await this.page.keyboard.type(text);
    await this.page.getByRole("button", { name: "Send Message" }).click();
  }

  // The newest bot message that has a button with this exact title.
  async messageWithButton(title) {
    const messages = this.botMessages();
    const count = await messages.count();
    for (let i = count - 1; i >= 0; i--) {
      const button = messages.nth(i).locator(`${CARD} button`).filter({ hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`) });
      if (await button.count()) return { index: i, button: button.first() };
    }
    return null;
  }

  async click(title) {
    const deadline = Date.now() + this.timeout;
    let found = null;
    while (!(found = await this.messageWithButton(title))) {
      if (Date.now() > deadline) {
        throw new StepError(`no card has a button "${title}" (after ${this.mark.what}). ${await this.describeNewest()}`);
      }
      await this.page.waitForTimeout(100);
    }
    await this.setMark(`pressing "${title}"`, found.index);
    await found.button.click();
  }

  async expect(text, sameCard, isPattern = false) {
    const { messages, target, cards, what } = this.mark;
    try {
      await this.page.waitForFunction(([msgSel, text, from, target, sameCard, isPattern]) => {
        const all = [...document.querySelectorAll(msgSel)].map((m) => m.innerText);
        const where = sameCard ? [all[target] || ""] : all.slice(from).concat(target >= 0 ? [all[target] || ""] : []);
        return where.some((t) => (isPattern ? new RegExp(text).test(t) : t.includes(text)));
      }, [BOT_MESSAGE, text, messages, target, !!sameCard, isPattern], { timeout: this.timeout, polling: 100 });
    } catch (err) {
      if (!(err.name === "TimeoutError" || /Timeout/.test(err.message))) throw err;
      throw new StepError(`expected ${isPattern ? "a match for /" + text + "/" : '"' + text + '"'} ${sameCard ? "in the card that was pressed " : ""}within ` +
        `${this.timeout / 1000} s after ${what}, but it did not appear. ${await this.describeNewest()}`);
    }
    if (sameCard) {
      const now = await this.snapshot();
      if (now.cards !== cards) {
        throw new StepError(`"${text}" appeared in the pressed card, but the number of cards went from ${cards} ` +
          `to ${now.cards}: the card was not only updated in place.`);
      }
    }
  }

  // The card on screen: the one in the message pressed last (it is updated in place), else the newest.
  // A new card since the last send/click wins (e.g. the card a button posted), else the pressed one.
  async measure() {
    const { target, cards: before } = this.mark;
    return this.page.evaluate(([msgSel, cardSel, target, before]) => {
      const msgs = [...document.querySelectorAll(msgSel)];
      const cards = [...document.querySelectorAll(cardSel)];
      const pressed = target >= 0 && msgs[target] ? msgs[target].querySelector(cardSel) : null;
      const card = (cards.length > before || !pressed) ? cards[cards.length - 1] : pressed;
      if (!card) return null;
      const box = card.getBoundingClientRect();
      const describe = (el) => `${el.tagName.toLowerCase()}${el.getAttribute("aria-label") ? "[" + el.getAttribute("aria-label") + "]" : ""}: ` +
        `${(el.innerText || el.value || "").replace(/\s+/g, " ").slice(0, 60)}`;
      const visible = (el) => {
        const r = el.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none";
      };
      const outside = [];
      const clipped = [];
      const summaries = [];
      const measureCanvas = document.createElement("canvas");
      for (const el of card.querySelectorAll("*")) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1) outside.push(describe(el));
        const cs = getComputedStyle(el);
        if (el.tagName === "INPUT" && el.value && ["text", "search", ""].includes(el.type)) {
          // an input's scrollWidth does not grow with its text: measure the text in the input's font
          const ctx = measureCanvas.getContext("2d");
          ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
          const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
          if (ctx.measureText(el.value).width > room + 1) {
            // a compact multi-select's box sums up the chosen options on one line (the options list and
            // the review show them in full): reported apart from text that is really cut off
            (el.getAttribute("role") === "combobox" && el.value.includes(",") ? summaries : clipped).push(describe(el));
          }
          continue;
        }
        const cuts = cs.overflowX === "hidden" || cs.overflowX === "clip" || cs.textOverflow === "ellipsis" ||
          el.tagName === "BUTTON";
        if (cuts && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0) clipped.push(describe(el));
      }
      const buttons = [...card.querySelectorAll("button")].filter(visible);
      const buttonsOutside = buttons.filter((b) => {
        const r = b.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      }).map(describe);
      return { height: Math.round(box.height), width: Math.round(box.width), outside: outside.slice(0, 12),
        clipped: clipped.slice(0, 12), summaries: summaries.slice(0, 12), buttons: buttons.length, buttonsOutside };
    }, [BOT_MESSAGE, CARD, target, before]);
  }

  async expectValue(values) {
    const card = await this.cardWithLabels(Object.keys(values));
    for (const [label, text] of Object.entries(values)) {
      const id = await card.evaluate((card, label) => {
        const el = [...card.querySelectorAll("label")].find((l) => l.innerText.replace(/\s*\*\s*$/, "").trim() === label);
        return el ? el.getAttribute("for") : null;
      }, label);
      const value = id ? await card.locator(`[id="${id}"]`).inputValue() : null;
      if (value === null || !value.includes(text)) {
        throw new StepError(`the field "${label}" holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
      }
    }
  }

  async describeNewest() {
    const snap = await this.snapshot();
    const newest = snap.messages.slice(-2).map((t) => t.replace(/\s+/g, " ").slice(0, 600));
    return `The newest bot messages (${snap.messages.length} in all, ${snap.cards} cards) read: ` +
      newest.map((t) => `«${t}»`).join(" ");
  }

  // The newest card that has every label in `labels`.
  async cardWithLabels(labels) {
    const cards = this.page.locator(CARD);
    const deadline = Date.now() + this.timeout;
    for (;;) {
      const count = await cards.count();
      for (let i = count - 1; i >= 0; i--) {
        const have = await cards.nth(i).evaluate((card) =>
          [...card.querySelectorAll("label")].map((l) => l.innerText.replace(/\s*\*\s*$/, "").trim()));
        if (labels.every((l) => have.includes(l))) return cards.nth(i);
      }
      if (Date.now() > deadline) {
        throw new StepError(`no card has the fields ${JSON.stringify(labels)}. ${await this.describeNewest()}`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  async fill(values) {
    const card = await this.cardWithLabels(Object.keys(values));
    for (const [label, value] of Object.entries(values)) {
      await this.fillField(card, label, value);
    }
  }

  async fillField(card, label, value) {
    // Adaptive Cards label an input with <label for=id>; a check-box list's boxes are id-0, id-1 …
    const id = await card.evaluate((card, label) => {
      const el = [...card.querySelectorAll("label")].find((l) => l.innerText.replace(/\s*\*\s*$/, "").trim() === label);
      return el ? el.getAttribute("for") : null;
    }, label);
    if (id) {
      const boxes = card.locator(`input[type=checkbox][id^="${id}-"]`);
      if (await boxes.count()) return this.setChecks(boxes, value, label);
      const radios = card.locator(`[id="${id}"] input[type=radio], input[type=radio][id^="${id}-"]`);
      if (await radios.count()) return this.pickRadio(radios, value, label);
    }
    const input = id ? card.locator(`[id="${id}"]`) : null;
    if (input && (await input.count())) {
      const info = await input.evaluate((e) => ({ tag: e.tagName, type: e.type, role: e.getAttribute("role"),
        popup: e.getAttribute("aria-haspopup") }));
      if (info.type === "checkbox") return this.setToggle(input, value, label);
      if (info.popup === "dialog") return this.pickDate(input, value, label);
      if (info.role === "combobox" && Array.isArray(value)) return this.pickOptions(input, value, label);
      if (info.role === "combobox") return this.pickOption(input, value, label);
      await input.fill(String(value));
      return;
    }
    // An Input.Toggle is a check box whose own label is its title.
    const byLabel = card.getByLabel(label, { exact: true });
    if (await byLabel.count()) return this.setToggle(byLabel.first(), value, label);
    throw new StepError(`the card has no field labelled "${label}"`);
  }

  async setToggle(box, value, label) {
    if (typeof value !== "boolean") throw new StepError(`"${label}" is a toggle: give true or false`);
    await box.setChecked(value, { force: true });
  }

  async setChecks(boxes, wanted, label) {
    if (!Array.isArray(wanted)) throw new StepError(`"${label}" is a check-box list: give a list of titles`);
    const count = await boxes.count();
    const titles = [];
    for (let i = 0; i < count; i++) {
      const box = boxes.nth(i);
      const title = await box.getAttribute("aria-label");
      titles.push(title);
      await box.setChecked(wanted.includes(title), { force: true });
    }
    const unknown = wanted.filter((w) => !titles.includes(w));
    if (unknown.length) throw new StepError(`"${label}" has no options ${JSON.stringify(unknown)}; it has ${JSON.stringify(titles)}`);
  }

  async pickRadio(radios, title, label) {
    const titles = [];
    for (let i = 0; i < (await radios.count()); i++) {
      const radio = radios.nth(i);
      const own = await radio.evaluate((e) => e.getAttribute("aria-label") || (e.labels[0] ? e.labels[0].innerText.trim() : ""));
      titles.push(own);
      if (own === title) return radio.check({ force: true });
    }
    throw new StepError(`"${label}" has no option "${title}"; it has ${JSON.stringify(titles)}`);
  }

  async pickOption(input, title, label) {
    await input.click();
    const option = this.page.getByRole("option", { name: title, exact: true });
    try {
      await option.first().waitFor({ timeout: 5000 });
    } catch (err) {
      const have = await this.page.getByRole("option").allInnerTexts();
      throw new StepError(`"${label}" has no option "${title}"; it has ${JSON.stringify(have)}`);
    }
    await option.first().click();
    const shown = await input.inputValue();
    if (shown !== title) throw new StepError(`"${label}" shows "${shown}" after choosing "${title}"`);
  }

  // A compact multi-select: the Playground opens a list of check boxes under the box; tick each title.
  async pickOptions(input, titles, label) {
    await input.click();
    for (const title of titles) {
      // Fluent's multi-select list: role=menuitemcheckbox with aria-checked
      const box = this.page.getByRole("menuitemcheckbox", { name: title, exact: true });
      try {
        await box.first().waitFor({ timeout: 5000 });
      } catch (err) {
        const popup = await this.page.evaluate(() => [...document.querySelectorAll('[role=listbox],[role=menu],[role=dialog],[class*="istbox"],[class*="opover"]')]
          .map((e) => e.outerHTML.slice(0, 1500)).join("\n"));
        throw new StepError(`"${label}" has no option "${title}"; popup: ${popup.slice(0, 3000)}`);
      }
      if ((await box.first().getAttribute("aria-checked")) !== "true") await box.first().click();
    }
    await this.page.keyboard.press("Escape");
    await input.evaluate((e) => e.blur());
  }

  // The Playground's date input is a Fluent calendar pop-up: page to the month, press the day.
  async pickDate(input, iso, label) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    if (!match) throw new StepError(`"${label}" is a date: give YYYY-MM-DD, not ${JSON.stringify(iso)}`);
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    await input.click();
    const dialog = this.page.locator('[role="dialog"]').filter({ has: this.page.locator('table[role="grid"]') }).last();
    await dialog.waitFor({ timeout: 5000 });
    for (let guard = 0; guard < 36; guard++) {
      const shown = (await dialog.locator('table[role="grid"]').getAttribute("aria-label")) || "";
      const m = /^(\w+) (\d{4})/.exec(shown);
      if (!m) throw new StepError(`cannot read the calendar's month from "${shown}"`);
      const diff = (year - Number(m[2])) * 12 + (month - 1 - MONTHS.indexOf(m[1]));
      if (diff === 0) break;
      await dialog.locator(`button[title^="${diff > 0 ? "Next month" : "Previous month"}"]`).click();
    }
    await dialog.locator(`button[aria-label="${day}, ${MONTHS[month - 1]}, ${year}"]`).click();
    const shown = await input.inputValue(); // formatted for the browser's locale, e.g. "October 15, 2026"
    if (!shown.includes(String(year)) || !shown.includes(String(day))) {
      throw new StepError(`"${label}" shows "${shown}" after picking ${iso}`);
    }
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node tests/e2e/driver.js scenario.json\n");
    process.exit(2);
  }
  const scenario = JSON.parse(fs.readFileSync(file, "utf8"));
  const shots = [];
  fs.mkdirSync(scenario.screenshotDir, { recursive: true });
  const shot = async (page, stem) => {
    const file = path.join(scenario.screenshotDir, `${stem}.png`);
    await page.screenshot({ path: file });
    shots.push(file);
  };
  const context = await chromium.launchPersistentContext(scenario.userDataDir, {
    executablePath: scenario.chromium || "/usr/bin/chromium",
    headless: true,
    args: LAUNCH_ARGS,
    viewport: scenario.viewport || { width: 1280, height: 1600 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const driver = new Driver(page, scenario);
  const started = Date.now();
  let index = -1;
  try {
    await page.goto(scenario.url, { waitUntil: "domcontentloaded" });
    for (index = 0; index < scenario.steps.length; index++) {
      const step = scenario.steps[index];
      const t0 = Date.now();
      if ("send" in step) await driver.send(step.send);
      else if ("click" in step) await driver.click(step.click);
      else if ("fill" in step) await driver.fill(step.fill);
      else if ("expect" in step) await driver.expect(step.expect, step.sameCard);
      else if ("expectMatch" in step) await driver.expect(step.expectMatch, step.sameCard, true);
      else if ("screenshot" in step) await shot(page, `${scenario.name}-${step.screenshot}`);
      else if ("pause" in step) await page.waitForTimeout(step.pause);
      else if ("expectValue" in step) await driver.expectValue(step.expectValue);
      else if ("measure" in step) {
        await page.waitForTimeout(300); // let the card finish its layout
        const measured = await driver.measure();
        if (!measured) throw new StepError("no card on screen to measure");
        log({ step: index, ...step, measured, ms: Date.now() - t0 });
        continue;
      }
      else throw new StepError(`unknown step ${JSON.stringify(step)}`);
      log({ step: index, ...step, ms: Date.now() - t0 });
    }
    await page.waitForTimeout(300); // let the last card finish rendering before the picture
    await shot(page, scenario.name);
    log({ ok: true, ms: Date.now() - started, screenshots: shots });
    await context.close();
    process.exit(0);
  } catch (err) {
    try {
      await shot(page, `${scenario.name}-failure`);
    } catch (_) { /* the page may be gone */ }
    const step = scenario.steps[index];
    log({ ok: false, step: index, at: step, error: err instanceof StepError ? err.message : String(err.stack || err),
      ms: Date.now() - started, screenshots: shots });
    await context.close().catch(() => {});
    process.exit(1);
  }
}

main().catch((err) => {
  log({ ok: false, error: String(err.stack || err) });
  process.exit(1);
});
