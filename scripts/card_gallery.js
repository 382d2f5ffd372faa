#!/usr/bin/env node
// Render Adaptive Cards to PNG with Microsoft's adaptivecards library in headless Chromium,
// styled like Microsoft Teams (light theme). Used by `python -m scripts.card_gallery --png`.
//
// stdin:  {"outDir": "...", "chromium": "/usr/bin/chromium", "cards": [{"stem": "welcome", "card": {...}}, ...]}
// stdout: {"<stem>": "<outDir>/<stem>.png" | "error: ..."}
//
// The host config follows the Teams light theme's main values (Segoe UI with fallbacks, 14 px
// text, Teams purple for accents and positive buttons, the attention red). Teams renders a
// Markdown subset in TextBlocks; a small converter below handles what the bot uses (**bold**,
// _italic_, paragraphs, backslash escapes).
"use strict";

const fs = require("fs");
const path = require("path");

const REPO = path.resolve(__dirname, "..");
const { chromium } = require(path.join(REPO, "node_modules", "playwright-core"));
const LIBRARY = path.join(REPO, "node_modules", "adaptivecards", "dist", "adaptivecards.min.js");

const FONT = "'Segoe UI', 'Segoe UI Web (West European)', system-ui, 'Liberation Sans', Arial, sans-serif";
const HOST_CONFIG = {
  supportsInteractivity: true,
  fontTypes: {
    default: { fontFamily: FONT, fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 300, default: 400, bolder: 600 } },
    monospace: { fontFamily: "Consolas, 'Liberation Mono', monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E1DFDD" },
  containerStyles: {
    default: { backgroundColor: "#FFFFFF", foregroundColors: {
      default: { default: "#242424", subtle: "#616161" }, dark: { default: "#252424", subtle: "#616161" },
      light: { default: "#FFFFFF", subtle: "#E1DFDD" }, accent: { default: "#5B5FC7", subtle: "#8B8CC7" },
      good: { default: "#237B4B", subtle: "#237B4B" }, warning: { default: "#835C00", subtle: "#835C00" },
      attention: { default: "#C4314B", subtle: "#C4314B" } } },
    emphasis: { backgroundColor: "#F5F5F5", foregroundColors: {
      default: { default: "#242424", subtle: "#616161" }, accent: { default: "#5B5FC7", subtle: "#8B8CC7" },
      attention: { default: "#C4314B", subtle: "#C4314B" }, good: { default: "#237B4B", subtle: "#237B4B" },
      warning: { default: "#835C00", subtle: "#835C00" } } },
  },
  actions: { maxActions: 10, spacing: "default", buttonSpacing: 8, actionsOrientation: "horizontal",
    actionAlignment: "left", showCard: { actionMode: "inline", inlineTopMargin: 16 }, iconPlacement: "leftOfTitle" },
  factSet: { title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 150 },
    value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true }, spacing: 16 },
  inputs: { label: { requiredInputs: { weight: "default", suffix: " *", suffixColor: "attention" },
    optionalInputs: { weight: "default" }, inputSpacing: "small" },
    errorMessage: { size: "small", spacing: "small", weight: "default" } },
};

const CSS = `
  body { margin: 0; background: #F5F5F5; font-family: ${FONT}; }
  #frame { width: 520px; padding: 12px; background: #F5F5F5; }
  #card { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.14); overflow: hidden; }
  .ac-pushButton { font-family: ${FONT}; font-size: 14px; font-weight: 600; color: #242424; background: #fff;
    border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 12px; min-height: 32px; cursor: pointer;
    overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .ac-pushButton.style-positive { background: #5B5FC7; border-color: #5B5FC7; color: #fff; }
  .ac-pushButton.style-destructive { background: #C4314B; border-color: #C4314B; color: #fff; }
  .ac-input { font-family: ${FONT}; font-size: 14px; }
  .ac-textInput, .ac-multichoiceInput, .ac-dateInput, .ac-timeInput { border: 1px solid #D1D1D1;
    border-bottom-color: #616161; border-radius: 4px; padding: 6px 8px; min-height: 32px; box-sizing: border-box;
    width: 100%; background: #fff; }
  textarea.ac-textInput { min-height: 64px; }
  .ac-input-validation-failed { border-color: #C4314B !important; }
  .ac-textBlock p { margin: 0 0 8px 0; } .ac-textBlock p:last-child { margin-bottom: 0; }
`;

// Teams renders a Markdown subset. Enough for the bot's cards: escapes, **bold**, _italic_, paragraphs.
function markdown(text) {
  const escaped = [];
  let s = String(text).replace(/\\([\\`*_[\]<>~#])/g, (_, ch) => `\u0000${escaped.push(ch) - 1}\u0000`);
  s = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  s = s.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/(^|[\s(])_(.+?)_(?=[\s.,;:!?)]|$)/g, "$1<em>$2</em>");
  s = s.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, "<br>")}</p>`).join("");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => escaped[Number(i)].replace("<", "&lt;").replace(">", "&gt;"));
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  fs.mkdirSync(input.outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: input.chromium || "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"] });
  const results = {};
  try {
    const page = await browser.newPage({ viewport: { width: 560, height: 800 }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head>` +
      `<body><div id="frame"><div id="card"></div></div></body></html>`);
    await page.addScriptTag({ path: LIBRARY });
    await page.evaluate(([hostConfig, markdownSource]) => {
      // eslint-disable-next-line no-new-func
      const md = new Function(`return (${markdownSource})`)();
      AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
        result.outputHtml = md(text);
        result.didProcess = true;
      };
      window.renderCard = (json) => {
        const host = document.getElementById("card");
        host.innerHTML = "";
        const card = new AdaptiveCards.AdaptiveCard();
        card.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
        card.parse(json);
        const element = card.render();
        if (!element) throw new Error("the library rendered nothing");
        host.appendChild(element);
      };
    }, [HOST_CONFIG, markdown.toString()]);
    for (const { stem, card } of input.cards) {
      try {
        await page.evaluate((json) => window.renderCard(json), card);
        const file = path.join(input.outDir, `${stem}.png`);
        await page.locator("#frame").screenshot({ path: file });
        results[stem] = file;
      } catch (err) {
        results[stem] = `error: ${String(err.message || err).split("\n")[0]}`;
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(String(err.stack || err) + "\n");
  process.exit(1);
});
