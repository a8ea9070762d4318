/** The observer's public shapes: what a query answers and what an event carries, as the facade exports them. */
import t from "tap";
import { decodeQbeFrame, encodeQbe } from "../../../src/qbe/codec.js";
import type { CtiEvent, CtiSessionInfo } from "../../../src/qbe/link/types.js";
import { CtiLinkObserver } from "../../../src/qbe/link.js";

t.test("a session query answers every documented field; events carry time and session", async (t) => {
    const events: CtiEvent[] = [];
    const obs = new CtiLinkObserver((e) => events.push(e));
    const ref = { key: "c>s", client: "c", server: "s" };
    obs.onQbeMessage(ref, 0, decodeQbeFrame(encodeQbe("ProviderOpenRequest", { sequenceNumber: 1 })), 10);
    const info = obs.session("c>s") as CtiSessionInfo;
    const keys: (keyof CtiSessionInfo)[] = [
        "key",
        "client",
        "server",
        "state",
        "since",
        "inferred",
        "login",
        "applicationID",
        "providerId",
        "clientHeartbeatS",
        "serverHeartbeatS",
        "effectiveHeartbeatS",
        "lastRx",
        "heartbeats",
        "messages",
        "openDeadline",
        "devices",
        "lines",
        "calls",
    ];
    t.same(Object.keys(info).sort(), [...keys].sort());
    t.match(events, [{ type: "ProviderOpening", t: 10, session: "c>s" }]);
});
