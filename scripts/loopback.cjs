// Preloaded into the Agents Playground (node --require) by scripts/playground.sh and the e2e
// harness: the Playground has no option to choose its listening address and listens on all
// interfaces. This makes every server that does not name a host listen on 127.0.0.1 only.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback]): insert the host when it is missing
    if (typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && !Array.isArray(first) && first.path === undefined
             && first.fd === undefined && first.handle === undefined && !first._handle && first.host === undefined) {
    args[0] = { ...first, host: "127.0.0.1" };
  } else if (first === undefined || typeof first === "function") {
    args.unshift(0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
