/** CTI: link health as a cluster condition, line states of DNs not seen on SCCP; static directory. */
import t from "tap";
import type { CtiEvent } from "../../src/qbe/link.js";
import { callState, Harness } from "./helpers.js";

const S1 = "10.9.0.5:40000>10.0.0.1:2748";
const S2 = "10.9.0.6:40001>10.0.0.2:2748";

const up = (t: number, session = S1): CtiEvent => ({
    type: "LinkUp",
    t,
    session,
    clientHeartbeatS: 30,
    serverHeartbeatS: 30,
    providerId: 1,
    inferred: false,
});
const line = (t: number, id: number, dn: string, device: string, session = S1): CtiEvent => ({
    type: "LineOpened",
    t,
    session,
    line: { callManagerID: 1, id },
    deviceName: device,
    lineName: dn,
    partition: null,
});
const cs = (t: number, lineId: number, callId: number, state: number, dn: string | null, session = S1): CtiEvent => ({
    type: "CallStateChanged",
    t,
    session,
    line: { callManagerID: 1, id: lineId },
    lineName: dn,
    deviceName: null,
    call: { callManagerID: 1, id: callId },
    state,
    stateName: String(state),
    cause: null,
    callingParty: null,
    calledParty: null,
    source: "CallStateChangedEvent_V2",
});

t.test("CTI link health: up, down, failed open, as session and cluster conditions", async (t) => {
    const h = new Harness();
    t.equal(h.model.ctiStatus().status, "unknown");
    h.model.onCtiEvent({ type: "ProviderOpening", t: 1000, session: S1, seq: 1, login: "cb", applicationID: "x" });
    h.model.onCtiEvent({ type: "ProviderOpening", t: 1000, session: S1, seq: 1, login: "cb", applicationID: "x" });
    h.model.onCtiEvent(up(2000));
    h.model.onCtiEvent({ type: "LinkDown", t: 9000, session: S1, reason: "heartbeat-timeout", silent: "server" });
    h.model.onCtiEvent({ type: "ProviderOpenFailed", t: 10000, session: S2, reason: "rejected", code: 5 });
    h.model.onCtiEvent({ type: "ProviderClosed", t: 10001, session: S2, reason: 1 });
    t.same(
        h.of("CtiLinkChanged").map((e) => [e.t, e.session, e.from, e.to, e.reason, e.statusFrom, e.status]),
        [
            [1, S1, null, "opening", null, "unknown", "unknown"],
            [2, S1, "opening", "up", null, "unknown", "up"],
            [9, S1, "up", "down", "heartbeat-timeout", "up", "down"],
            [10, S2, null, "failed", "rejected", "down", "failed"],
        ],
    );
    t.match(h.model.ctiStatus(), {
        status: "failed",
        sessions: [
            { session: S1, state: "down" },
            { session: S2, state: "failed" },
        ],
    });
    h.model.onCtiEvent(up(11000, S2));
    t.equal(h.model.ctiStatus().status, "up");
    t.equal(h.model.stats().ctiEvents, 7);
});

t.test("CTI line states fill in DNs not seen on SCCP; SCCP wins where it sees the DN", async (t) => {
    const h = new Harness();
    h.register({ name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] }, 0);
    h.clear();
    h.model.onCtiEvent(up(1000));
    h.model.onCtiEvent(line(1000, 7, "4001", "SEP0000004001AA"));
    t.same(h.lineChanges(), ["4001:unknown>idle"]);
    t.match(h.model.dn("4001"), {
        state: "idle",
        stateSource: "cti",
        known: true,
        cti: { state: "idle", devices: ["SEP0000004001AA"] },
    });
    h.model.onCtiEvent(cs(2000, 7, 50, 2, "4001")); // OFFERING
    h.model.onCtiEvent(cs(3000, 7, 50, 8, null)); // CONNECTED (line name from the open)
    h.model.onCtiEvent(cs(4000, 7, 50, 14, null)); // DISCONNECTED
    t.same(h.lineChanges().slice(1), ["4001:idle>ringing", "4001:ringing>busy", "4001:busy>idle"]);
    // A call on a line never opened, then closed.
    h.model.onCtiEvent(cs(5000, 9, 60, 10, "4002"));
    t.equal(h.model.dnState("4002"), "busy");
    h.model.onCtiEvent({
        type: "CallClosed",
        t: 6000,
        session: S1,
        line: { callManagerID: 1, id: 9 },
        lineName: null,
        call: { callManagerID: 1, id: 60 },
        reason: null,
    });
    t.equal(h.model.dnState("4002"), "unknown"); // no open line: CTI does not know it is idle
    // A DN seen on SCCP ignores CTI.
    h.model.onCtiEvent(line(7000, 8, "1001", "SEP0000000A0001"));
    h.model.onCtiEvent(cs(7000, 8, 70, 8, "1001"));
    t.match(h.model.dn("1001"), { state: "idle", stateSource: "sccp", cti: { state: "busy" } });
    // The CTI link goes down: what it said is forgotten.
    h.model.onCtiEvent(cs(7500, 7, 51, 2, "4001"));
    h.clear();
    h.model.onCtiEvent({ type: "LinkDown", t: 8000, session: S1, reason: "connection-closed" });
    t.same(h.lineChanges(), ["4001:ringing>unknown"]);
    h.model.onCtiEvent(up(9000));
    t.same(h.lineChanges().slice(1), ["4001:unknown>idle"]);
    h.model.onCtiEvent({
        type: "LineClosed",
        t: 9500,
        session: S1,
        line: { callManagerID: 1, id: 7 },
        lineName: "4001",
    });
    t.same(h.lineChanges().slice(2), ["4001:idle>unknown"]);
    t.equal(h.model.isKnownDn("4001"), false);
    h.model.onCtiEvent({
        type: "LineClosed",
        t: 9600,
        session: S1,
        line: { callManagerID: 1, id: 99 },
        lineName: null,
    });
    h.model.onCtiEvent(cs(9700, 99, 1, 8, null)); // no DN known: ignored
    h.model.onCtiEvent({
        type: "CallClosed",
        t: 9800,
        session: S1,
        line: { callManagerID: 1, id: 98 },
        lineName: null,
        call: { callManagerID: 1, id: 2 },
        reason: null,
    });
    h.model.onCtiEvent(line(9900, 100, "", "X")); // no DN: ignored
});

t.test("CTI device registration shows on the device; other CTI events are ignored", async (t) => {
    const h = new Harness();
    h.register({ name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] }, 0);
    t.equal(h.model.device("SEP0000000A0001")!.ctiRegistered, null);
    h.model.onCtiEvent({
        type: "DeviceRegistered",
        t: 1,
        session: S1,
        deviceName: "SEP0000000A0001",
        reason: null,
        source: "x",
    });
    t.equal(h.model.device("SEP0000000A0001")!.ctiRegistered, true);
    h.model.onCtiEvent({
        type: "DeviceUnregistered",
        t: 2,
        session: S1,
        deviceName: "SEP0000000A0001",
        reason: null,
        source: "x",
    });
    t.equal(h.model.device("SEP0000000A0001")!.ctiRegistered, false);
    h.model.onCtiEvent({
        type: "DeviceOpened",
        t: 3,
        session: S1,
        device: { callManagerID: 1, id: 1 },
        deviceName: "X",
    });
    t.equal(h.events.length, 3);
});

t.test("bounded CTI memory", async (t) => {
    const h = new Harness({ maxCtiSessions: 2, maxCtiEntries: 3 });
    for (let i = 0; i < 4; i++) h.model.onCtiEvent(up(i * 1000, `s${i}`));
    t.equal(h.model.ctiStatus().sessions.length, 2);
    h.model.onCtiEvent({ type: "LinkDown", t: 5000, session: "s3", reason: "connection-closed" });
    h.model.onCtiEvent(up(6000, "s9"));
    t.equal(h.model.ctiStatus().sessions.length, 2);
    for (let i = 0; i < 6; i++) h.model.onCtiEvent(line(7000, i, `50${i}`, `D${i}`, "s9"));
    for (let i = 0; i < 6; i++) h.model.onCtiEvent(cs(8000, i, i, 8, `50${i}`, "s9"));
    t.ok(h.model.allDns().length <= 3);
    for (let i = 0; i < 6; i++)
        h.model.onCtiEvent({
            type: "DeviceRegistered",
            t: 9000,
            session: "s9",
            deviceName: `D${i}`,
            reason: null,
            source: "x",
        });
});

t.test("static directory: DNs and devices not on this mirror port", async (t) => {
    const h = new Harness({
        staticDirectory: [
            {
                dn: "5001",
                deviceName: "SEP000000005001",
                model: "Cisco IP Phone 7960",
                pushAddress: "10.7.0.1",
                locale: "de_DE",
            },
            { dn: "1001", deviceName: "SEP0000000A0001", locale: "fr_FR" },
            { dn: "1001", deviceName: "SEP0000000A0009" },
        ],
    });
    h.register({ name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] }, 0);
    t.same(h.model.dn("5001"), {
        dn: "5001",
        state: "unknown",
        uncertain: false,
        stateSource: null,
        known: true,
        devices: [],
        forwarding: null,
        static: [
            {
                dn: "5001",
                deviceName: "SEP000000005001",
                model: "Cisco IP Phone 7960",
                pushAddress: "10.7.0.1",
                locale: "de_DE",
            },
        ],
        cti: null,
    });
    t.equal(h.model.dn("1001").static.length, 2);
    t.same(h.model.device("SEP0000000A0001")!.static, [{ dn: "1001", deviceName: "SEP0000000A0001", locale: "fr_FR" }]);
    t.equal(h.model.isKnownDn("9999"), false);
    t.match(h.model.dn("9999"), { known: false, state: "unknown" });
    t.same(h.model.allDns(), ["1001", "5001"]);
    t.same(
        h.model.allDevices().map((d) => d.key),
        ["SEP0000000A0001"],
    );
    callState(h.link("10.1.0.77", "10.0.0.1", { midstream: true }), 1, 5, 1, 1);
    t.same(h.model.device("@10.1.0.77")!.static, []);
});
