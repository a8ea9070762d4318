/** Provider lifecycle and liveness of one CTI session, driven message by message. */
import t from "tap";
import { decodeQbeFrame, encodeQbe, type QbeFields } from "../../../src/qbe/codec.js";
import { connectionClosed, deadline, expire, markUp, onProviderMessage } from "../../../src/qbe/link/provider.js";
import { linkContext, newSession } from "../../../src/qbe/link/session.js";
import type { CtiEvent } from "../../../src/qbe/link/types.js";

function setup(opts = {}) {
    const events: CtiEvent[] = [];
    const ctx = linkContext((e) => events.push(e), opts);
    const s = newSession({ key: "c>s", client: "c", server: "s" }, 0);
    const send = (dir: 0 | 1, now: number, name: string, fields: QbeFields = {}) =>
        onProviderMessage(ctx, s, dir, decodeQbeFrame(encodeQbe(name, fields)), now);
    return { ctx, s, events, send };
}

const types = (events: CtiEvent[]) => events.map((e) => e.type);

t.test("open request, response and completion bring the link up with the negotiated intervals", async (t) => {
    const { s, events, send } = setup();
    t.ok(send(0, 100, "ProviderOpenRequest", { sequenceNumber: 1, login: "jtapi", applicationID: "App" }));
    t.equal(s.state, "opening");
    t.equal(s.openDeadline, 30100);
    t.ok(send(1, 110, "ProviderOpenResponse", { sequenceNumber: 1, clientHeartbeat: 4, serverHeartbeat: 5 }));
    t.ok(send(1, 120, "ProviderOpenCompletedEvent", { sequenceNumber: 1, providerId: 7, loginUserName: "u" }));
    t.same(types(events), ["ProviderOpening", "LinkUp"]);
    t.match(events[1], { clientHeartbeatS: 4, serverHeartbeatS: 5, providerId: 7, inferred: false });
    t.match(s, { state: "up", login: "u", openDeadline: null, lastRx: [120, 120] });
    t.ok(send(0, 130, "Heartbeat"));
    t.same(s.heartbeats, [1, 0]);
});

t.test("other messages are not the provider's", async (t) => {
    const { send, events } = setup();
    t.notOk(send(0, 0, "DeviceOpenRequest", { sequenceNumber: 3, deviceName: "SEP1" }));
    t.same(events, []);
});

t.test("an open fails on time-out, on rejection with the failure's name, or when the connection closes", async (t) => {
    const a = setup({ providerOpenTimeoutMs: 1000 });
    a.send(0, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    t.equal(deadline(a.ctx, a.s), 1000);
    expire(a.ctx, a.s, 999);
    t.equal(a.s.state, "opening");
    expire(a.ctx, a.s, 1000);
    t.match(a.events.at(-1), { type: "ProviderOpenFailed", reason: "timeout" });
    t.equal(deadline(a.ctx, a.s), null);
    const b = setup();
    b.send(0, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    b.send(1, 5, "FailureResponse", { sequenceNumber: 1, result: 0x8ccc0001, description: "bad login" });
    t.match(b.events.at(-1), { type: "ProviderOpenFailed", reason: "rejected", description: "bad login" });
    const c = setup();
    c.send(0, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    connectionClosed(c.ctx, c.s, 9);
    t.match(c.events.at(-1), { type: "ProviderOpenFailed", reason: "connection-closed" });
});

t.test("a silent side takes the link down after twice its interval; close and provider close too", async (t) => {
    const { ctx, s, events, send } = setup({ heartbeatIntervalS: 2 });
    markUp(ctx, s, 0, true);
    t.match(events.at(-1), { type: "LinkUp", inferred: true, clientHeartbeatS: 2 });
    t.equal(deadline(ctx, s), 4001);
    s.lastRx[0] = 3000;
    expire(ctx, s, 4000);
    t.equal(s.state, "up");
    expire(ctx, s, 4001);
    t.match(events.at(-1), { type: "LinkDown", reason: "heartbeat-timeout", silent: "server" });
    markUp(ctx, s, 5000, true);
    send(1, 5001, "ProviderClosedEvent", { reason: 1 });
    t.match(events.slice(-2), [
        { type: "ProviderClosed", reason: 1 },
        { type: "LinkDown", reason: "provider-closed" },
    ]);
    t.equal(s.state, "closed");
    markUp(ctx, s, 6000, true);
    connectionClosed(ctx, s, 6001);
    t.match(events.at(-1), { type: "LinkDown", reason: "connection-closed" });
});
