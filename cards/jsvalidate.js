#!/usr/bin/env node
// Check Adaptive Cards with Microsoft's own renderer library (npm "adaptivecards").
//
//   echo '[{"type":"AdaptiveCard","version":"1.5","body":[]}]' | node cards/jsvalidate.js
//
// stdin:  a JSON array of cards
// stdout: a JSON array with one list of messages per card ([] = the renderer accepts the card)
// exit:   0 when the batch was checked (even if cards have problems), 2 on bad input,
//         3 when the adaptivecards package is not installed.
//
// Each card is parsed the way a host parses it (parse events: unknown element or action
// types, invalid property values) and then validated (validation events: missing or
// duplicate input ids, ChoiceSet choices without title/value, unsupported version ...).
// The target is card version 1.5, the highest version Teams renders: elements, actions and
// values introduced after 1.5 are reported, and so is a card that declares a newer version.
//
// The UMD build is loaded on purpose: the package's ESM "lib" build uses extensionless
// imports and fails to load in Node 20. Parsing and validation need no DOM.
"use strict";

const fs = require("fs");

const TARGET = "1.5";

let AC;
try {
  AC = require("adaptivecards/dist/adaptivecards.js");
} catch (err) {
  process.stderr.write(
    "jsvalidate: cannot load adaptivecards/dist/adaptivecards.js (" + err.message.split("\n")[0] + ").\n" +
      "Install the Node tools with: npm install --no-audit --no-fund (in the repository root)\n"
  );
  process.exit(3);
}

const target = AC.Version.parse(TARGET, new AC.SerializationContext());
const eventName = (e) => AC.ValidationEvent[e] || String(e);

// A short "where" for a message: the element or action type and its id, if any.
function where(source) {
  if (!source || typeof source.getJsonTypeName !== "function") return "";
  const type = source.getJsonTypeName();
  if (type === "AdaptiveCard") return "";
  return source.id ? ` [${type} "${source.id}"]` : ` [${type}]`;
}

function checkCard(json) {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return ["InvalidInput: a card must be a JSON object"];
  }
  const messages = [];
  // The library falls back to defaults for these two, but a host needs them in the JSON.
  if (json.type !== "AdaptiveCard") {
    messages.push(`MissingCardType: ${AC.Strings.errors.invalidCardType()}`);
  }
  if (json.version === undefined || json.version === null || json.version === "") {
    messages.push(`PropertyCantBeNull: ${AC.Strings.errors.propertyMustBeSet("version")}`);
  }
  const card = new AC.AdaptiveCard();
  card.maxVersion = target; // versions above 1.5 become UnsupportedCardVersion
  const ctx = new AC.SerializationContext(target);
  try {
    card.parse(json, ctx);
  } catch (err) {
    return [...messages, `ParseFailure: ${err && err.message ? err.message : String(err)}`];
  }
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    messages.push(`${eventName(e.event)}: ${e.message}${where(e.source)}`);
  }
  const results = card.validateProperties();
  for (const e of results.validationEvents) {
    const note = e.event === AC.ValidationEvent.UnsupportedCardVersion ? ` Teams renders cards up to version ${TARGET}.` : "";
    messages.push(`${eventName(e.event)}: ${e.message}${note}${where(e.source)}`);
  }
  return [...new Set(messages)]; // the same problem can be reported by our check and the library
}

function main() {
  let cards;
  try {
    cards = JSON.parse(fs.readFileSync(0, "utf8"));
  } catch (err) {
    process.stderr.write("jsvalidate: stdin is not valid JSON: " + err.message + "\n");
    process.exit(2);
  }
  if (!Array.isArray(cards)) {
    process.stderr.write("jsvalidate: stdin must be a JSON array of cards\n");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(cards.map(checkCard)));
}

main();
