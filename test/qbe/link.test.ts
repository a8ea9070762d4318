import t from "tap";
import { decodeQbeFrame, encodeQbe, type QbeFields, type QbeMessage } from "../../src/qbe/codec.js";
import { type CtiEvent, CtiLinkObserver, type CtiLinkOptions } from "../../src/qbe/link.js";
import type { QbeSessionRef } from "../../src/qbe/stream.js";
import { fixture } from "./helpers.js";

const C = 0 as const;
const S = 1 as const;
const REF: QbeSessionRef = { key: "10.0.0.5:40000>10.0.0.1:2748", client: "10.0.0.5:40000", server: "10.0.0.1:2748" };

/** A decoded message as the stream decoder would hand it over. */
function msg(name: string, fields: QbeFields = {}): QbeMessage {
    return decodeQbeFrame(encodeQbe(name, fields));
}

class Harness {
    readonly events: CtiEvent[] = [];
    readonly obs: CtiLinkObserver;
    constructor(opts: CtiLinkOptions = {}) {
        this.obs = new CtiLinkObserver((e) => this.events.push(e), opts);
    }
    send(dir: 0 | 1, now: number, name: string, fields: QbeFields = {}, ref = REF): void {
        this.obs.onQbeMessage(ref, dir, msg(name, fields), now);
    }
    types(): string[] {
        return this.events.map((e) => e.type);
    }
    last<T extends CtiEvent["type"]>(type: T): Extract<CtiEvent, { type: T }> {
        const e = this.events.filter((x) => x.type === type).at(-1);
        if (e === undefined) throw new Error(`no ${type}`);
        return e as Extract<CtiEvent, { type: T }>;
    }
    /** Init, open request, response with intervals, completed event. */
    open(now: number, clientHb = 30, serverHb = 30): void {
        this.send(C, now, "ProviderInitRequest", { sequenceNumber: 0 });
        this.send(S, now, "ProviderInitResponse", { sequenceNumber: 0 });
        this.send(C, now, "ProviderOpenRequest", { sequenceNumber: 1, login: "jtapi", applicationID: "App" });
        this.send(S, now + 10, "ProviderOpenResponse", {
            sequenceNumber: 1,
            clientHeartbeat: clientHb,
            serverHeartbeat: serverHb,
        });
        this.send(S, now + 20, "ProviderOpenCompletedEvent", {
            sequenceNumber: 1,
            clientHeartbeat: clientHb,
            serverHeartbeat: serverHb,
            providerId: 7,
            loginUserName: "jtapi",
        });
    }
}

t.test("provider open → LinkUp with the negotiated intervals", async (t) => {
    const h = new Harness();
    h.send(C, 1000, "ProviderInitRequest", {});
    t.equal(h.obs.session(REF.key)?.state, "connecting");
    h.open(1000, 4, 5);
    t.strictSame(h.types(), ["ProviderOpening", "LinkUp"]);
    t.match(h.last("ProviderOpening"), { seq: 1, login: "jtapi", applicationID: "App", t: 1000 });
    t.match(h.last("LinkUp"), { clientHeartbeatS: 4, serverHeartbeatS: 5, providerId: 7, inferred: false, t: 1020 });
    const s = h.obs.session(REF.key)!;
    t.match(s, { state: "up", clientHeartbeatS: 4, serverHeartbeatS: 5, effectiveHeartbeatS: [4, 5], login: "jtapi" });
    t.equal(h.obs.allSessions().length, 1);
});

t.test("liveness: heartbeats stop → LinkDown after twice the interval (controlled clock)", async (t) => {
    const h = new Harness();
    h.open(0, 4, 4); // up at t = 20 ms
    // Heartbeats both ways every 4 s keep the link up.
    for (let now = 4000; now <= 40000; now += 4000) {
        h.send(C, now, "Heartbeat");
        h.send(S, now + 1, "Heartbeat");
        h.obs.tick(now + 2);
    }
    t.strictSame(h.types(), ["ProviderOpening", "LinkUp"]);
    t.strictSame(h.obs.session(REF.key)!.heartbeats, [10, 10]);
    // The server goes silent after 40001; the client keeps sending.
    for (let now = 44000; now <= 48000; now += 4000) h.send(C, now, "Heartbeat");
    h.obs.tick(48001);
    t.equal(h.obs.session(REF.key)!.state, "up", "exactly 2 x 4 s: still up");
    t.equal(h.obs.nextDeadline(), 48002);
    h.obs.tick(48002);
    t.match(h.last("LinkDown"), { reason: "heartbeat-timeout", silent: "server", t: 48002 });
    t.equal(h.obs.session(REF.key)!.state, "down");
    h.obs.tick(60000);
    t.equal(h.events.filter((e) => e.type === "LinkDown").length, 1, "reported once");
    // Traffic resumes: the link comes back (inferred).
    h.send(S, 61000, "Heartbeat");
    t.match(h.last("LinkUp"), { inferred: true, t: 61000 });
    // The client side going silent is reported as such.
    h.send(S, 68000, "Heartbeat");
    h.obs.tick(69001);
    t.match(h.last("LinkDown"), { silent: "client" });
});

t.test("liveness uses heartbeatIntervalS when no interval was negotiated; any message is a sign of life", async (t) => {
    const h = new Harness({ heartbeatIntervalS: 10 });
    h.send(S, 0, "LineClosedEvent", { lineCallManagerID: 1, lineID: 2 }); // joined mid-session
    t.match(h.last("LinkUp"), { inferred: true, clientHeartbeatS: 10, serverHeartbeatS: 10 });
    h.send(C, 15000, "DeviceCloseRequest", { sequenceNumber: 3, callManagerID: 1, deviceID: 2 });
    h.send(S, 15000, "FailureResponse", { sequenceNumber: 3, result: 1 });
    h.obs.tick(20000);
    t.equal(h.obs.session(REF.key)!.state, "up");
    h.obs.tick(35001);
    t.match(h.last("LinkDown"), { reason: "heartbeat-timeout" });
});

t.test("provider open without completion → ProviderOpenFailed after the configured time", async (t) => {
    const h = new Harness({ providerOpenTimeoutMs: 5000 });
    h.send(C, 1000, "ProviderOpenRequest", { sequenceNumber: 1 });
    h.send(S, 1100, "ProviderOpenResponse", { sequenceNumber: 1, clientHeartbeat: 30, serverHeartbeat: 30 });
    t.equal(h.obs.session(REF.key)!.openDeadline, 6000);
    t.equal(h.obs.nextDeadline(), 6000);
    h.obs.tick(5999);
    t.strictSame(h.types(), ["ProviderOpening"]);
    h.obs.tick(6000);
    t.match(h.last("ProviderOpenFailed"), { reason: "timeout", t: 6000 });
    t.equal(h.obs.session(REF.key)!.state, "failed");
    h.obs.tick(100000);
    t.equal(h.events.length, 2, "no heartbeat checks on a failed link");
    t.equal(h.obs.nextDeadline(), null);
    // Default: 30 s.
    const d = new Harness();
    d.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    d.obs.tick(29999);
    d.obs.tick(30000);
    t.match(d.last("ProviderOpenFailed"), { reason: "timeout" });
});

t.test("provider open rejected: completed event with a CTIFAILURE, FailureResponse, bad response", async (t) => {
    const fx = fixture("ProviderOpenCompletedEvent_failed");
    const h = new Harness();
    h.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fx.bytes), 50);
    t.match(h.last("ProviderOpenFailed"), {
        reason: "rejected",
        code: -1932787616,
        codeName: "DIRECTORY_LOGIN_FAILED",
    });
    const f = new Harness();
    f.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 4 });
    f.send(S, 10, "FailureResponse", { sequenceNumber: 4, result: 0x8ccc0000 | 0, description: "nope" });
    t.match(f.last("ProviderOpenFailed"), {
        reason: "rejected",
        code: 0x8ccc0000 | 0,
        codeName: "CTI_FAILURE",
        description: "nope",
    });
    const r = new Harness();
    r.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    r.send(S, 10, "ProviderOpenResponse", { sequenceNumber: 1, result: 5 });
    t.match(r.last("ProviderOpenFailed"), { reason: "rejected", code: 5 });
    t.notOk("codeName" in r.last("ProviderOpenFailed"));
    // Closed while opening.
    const c = new Harness();
    c.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    c.obs.onQbeClose(REF, 10);
    t.match(c.last("ProviderOpenFailed"), { reason: "connection-closed" });
    t.equal(c.obs.session(REF.key), undefined, "forgotten after close");
    // ProviderClosedEvent while opening.
    const p = new Harness();
    p.send(C, 0, "ProviderOpenRequest", { sequenceNumber: 1 });
    p.send(S, 5, "ProviderClosedEvent", { reason: 101 });
    t.strictSame(p.types(), ["ProviderOpening", "ProviderClosed", "ProviderOpenFailed"]);
});

t.test("open response seen without its request still waits for completion", async (t) => {
    const h = new Harness({ providerOpenTimeoutMs: 1000 });
    h.send(S, 0, "ProviderOpenResponse", { sequenceNumber: 1, clientHeartbeat: 6, serverHeartbeat: 7 });
    t.equal(h.obs.session(REF.key)!.state, "opening");
    h.send(S, 10, "ProviderOpenCompletedEvent", { sequenceNumber: 1 });
    t.match(h.last("LinkUp"), { clientHeartbeatS: 6, serverHeartbeatS: 7, inferred: false });
});

t.test("device and line open/close, registration, service, device state", async (t) => {
    const h = new Harness();
    h.open(0);
    const at = 100;
    h.obs.onQbeMessage(REF, C, decodeQbeFrame(fixture("DeviceOpenRequest").bytes), at);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("DeviceOpenResponse").bytes), at);
    const dev = { callManagerID: 1, id: 0x1234 };
    t.match(h.last("DeviceOpened"), { device: dev, deviceName: "SEP001122334455" });
    h.obs.onQbeMessage(REF, C, decodeQbeFrame(fixture("LineOpenRequest").bytes), at);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("LineOpenResponse").bytes), at);
    const line = { callManagerID: 1, id: 0xabcd };
    t.match(h.last("LineOpened"), { line, deviceName: "SEP001122334455", lineName: "1001", partition: "Internal_PT" });
    for (const name of [
        "DeviceInServiceEvent",
        "DeviceOutOfServiceEvent",
        "LineInServiceEvent",
        "LineOutOfServiceEvent",
    ]) {
        h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture(name).bytes), at);
    }
    t.match(h.last("DeviceInService"), { device: dev, deviceName: "SEP001122334455" });
    t.match(h.last("DeviceOutOfService"), { deviceName: "SEP001122334455", reason: Number });
    t.match(h.last("LineInService"), { line, lineName: "1001" });
    t.match(h.last("LineOutOfService"), { lineName: "1001" });
    for (const name of ["DeviceRegisteredEvent", "DeviceUnregisteredEvent", "DeviceRegisteredEventWithLineInfo"]) {
        h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture(name).bytes), at);
    }
    t.match(h.last("DeviceRegistered"), { deviceName: "SEP001122334455", source: "DeviceRegisteredEventWithLineInfo" });
    t.match(h.last("DeviceUnregistered"), { deviceName: String, source: "DeviceUnregisteredEvent" });
    t.equal(h.events.filter((e) => e.type === "DeviceRegistered").length, 2);
    h.send(S, at, "DeviceLineInfoEvent", { deviceName: "SEPA", deviceRegistrationStatus: 1 });
    h.send(S, at, "DeviceLineInfoEvent", { deviceName: "SEPB", deviceRegistrationStatus: 2 });
    h.send(S, at, "DeviceLineInfoEvent", { deviceName: "SEPC", deviceRegistrationStatus: 0 });
    t.match(h.last("DeviceRegistered"), { deviceName: "SEPA", source: "DeviceLineInfoEvent", reason: null });
    t.match(h.last("DeviceUnregistered"), { deviceName: "SEPB" });
    for (const name of ["Idle", "Active", "Alerting", "Held", "Whisper"]) {
        h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture(`DeviceState${name}Event`).bytes), at);
        t.match(h.last("DeviceStateChanged"), { deviceState: name.toUpperCase(), deviceName: "SEP001122334455" });
    }
    t.equal(h.obs.session(REF.key)!.devices.length, 1);
    t.equal(h.obs.session(REF.key)!.lines.length, 1);
    // Close both.
    h.obs.onQbeMessage(REF, C, decodeQbeFrame(fixture("LineCloseRequest").bytes), at);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("LineCloseResponse").bytes), at);
    t.match(h.last("LineClosed"), { line, lineName: "1001" });
    h.obs.onQbeMessage(REF, C, decodeQbeFrame(fixture("DeviceCloseRequest").bytes), at);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("DeviceCloseResponse").bytes), at);
    t.match(h.last("DeviceClosed"), { device: dev, deviceName: "SEP001122334455" });
    t.equal(h.obs.session(REF.key)!.devices.length, 0);
    // Closed events from the server carry a reason.
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("DeviceClosedEvent").bytes), at);
    t.match(h.last("DeviceClosed"), { deviceName: null, reason: Number });
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("LineClosedEvent").bytes), at);
    t.match(h.last("LineClosed"), { lineName: null, reason: Number });
    // Failed opens and closes change nothing.
    const n = h.events.length;
    h.send(C, at, "DeviceOpenRequest", { sequenceNumber: 50, deviceName: "X" });
    h.send(S, at, "DeviceOpenResponse", { sequenceNumber: 50, result: 9 });
    h.send(C, at, "LineOpenRequest", { sequenceNumber: 51, deviceName: "X", lineName: "1" });
    h.send(S, at, "FailureResponse", { sequenceNumber: 51, result: 9 });
    h.send(S, at, "LineOpenResponse", { sequenceNumber: 51 }); // late: its request is settled
    h.send(S, at, "LineCloseResponse", { sequenceNumber: 99, result: 3 });
    h.send(S, at, "DeviceCloseResponse", { sequenceNumber: 98, result: 3 });
    h.send(S, at, "DeviceOpenResponse", { sequenceNumber: 97 }); // no request seen
    t.equal(h.events.length, n);
});

t.test("call state changes: new call, state changes, party change, close", async (t) => {
    const h = new Harness();
    h.open(0);
    h.obs.onQbeMessage(REF, C, decodeQbeFrame(fixture("LineOpenRequest").bytes), 50);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("LineOpenResponse").bytes), 50);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("NewCallEvent").bytes), 100);
    const first = h.last("CallStateChanged");
    t.match(first, {
        line: { callManagerID: 1, id: 0xabcd },
        lineName: "1001",
        deviceName: "SEP001122334455",
        call: { callManagerID: 1, id: 0x01000123 },
        state: 2,
        stateName: "OFFERING",
        callingParty: "2001",
        calledParty: "1001",
        source: "NewCallEvent",
    });
    const order: string[] = [];
    for (const st of ["offering", "connected", "onhold", "disconnected", "idle"]) {
        h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture(`CallStateChangedEvent_V2_${st}`).bytes), 200);
        const e = h.last("CallStateChanged");
        order.push(e.stateName);
        t.equal(e.callingParty, "2001", "numbers remembered from NewCallEvent");
        t.equal(e.source, "CallStateChangedEvent_V2");
        t.type(e.cause, "number");
    }
    t.strictSame(order, ["OFFERING", "CONNECTED", "ONHOLD", "DISCONNECTED", "IDLE"]);
    t.match(h.obs.session(REF.key)!.calls, [{ state: 1, stateName: "IDLE", calledParty: "1001" }]);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("CallPartyInfoChangedEvent").bytes), 250);
    t.equal(h.obs.session(REF.key)!.calls[0]?.calledParty, fixture("CallPartyInfoChangedEvent").fields.calledParty);
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("CallClosedEvent").bytes), 300);
    t.match(h.last("CallClosed"), { lineName: "1001", call: { id: 0x01000123 } });
    t.equal(h.obs.session(REF.key)!.calls.length, 0);
    // A state change for a leg never announced is still reported, without numbers.
    h.send(S, 400, "CallStateChangedEvent_V2", {
        lineCallManagerID: 1,
        lineID: 5,
        callCallManagerID: 1,
        callLegID: 9,
        state: 99,
    });
    t.match(h.last("CallStateChanged"), { stateName: "99", lineName: null, callingParty: null });
    // ExistingCallEvent on open, then the line closes: its legs go too.
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("ExistingCallEvent").bytes), 500);
    t.equal(h.last("CallStateChanged").source, "ExistingCallEvent");
    h.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("LineClosedEvent").bytes), 600);
    t.equal(h.obs.session(REF.key)!.calls.length, 1, "only the leg on the other line remains");
    // Party info for an unknown leg is ignored.
    h.send(S, 700, "CallPartyInfoChangedEvent", { lineID: 77 });
});

t.test("provider close: close response, closed event, TCP close", async (t) => {
    const a = new Harness();
    a.open(0);
    a.send(C, 100, "ProviderCloseRequest", { sequenceNumber: 9 });
    a.send(S, 110, "ProviderCloseResponse", { sequenceNumber: 9 });
    t.match(a.last("LinkDown"), { reason: "provider-closed" });
    t.equal(a.obs.session(REF.key)!.state, "closed");
    a.obs.tick(1e9);
    t.equal(a.events.filter((e) => e.type === "LinkDown").length, 1);
    const b = new Harness();
    b.open(0);
    b.obs.onQbeMessage(REF, S, decodeQbeFrame(fixture("ProviderClosedEvent").bytes), 100);
    t.match(b.last("ProviderClosed"), { reason: Number, reasonName: String });
    t.match(b.last("LinkDown"), { reason: "provider-closed" });
    const c = new Harness();
    c.open(0);
    c.obs.onQbeClose(REF, 500);
    t.match(c.last("LinkDown"), { reason: "connection-closed", t: 500 });
    c.obs.onQbeClose(REF, 600); // unknown session: ignored
    t.equal(c.obs.allSessions().length, 0);
    const d = new Harness();
    d.send(S, 0, "ProviderClosedEvent", { reason: 12345 });
    t.notOk("reasonName" in d.last("ProviderClosed"));
});

t.test("bounded: sessions and per-session entries", async (t) => {
    const h = new Harness({ maxSessions: 2, maxEntriesPerSession: 3 });
    for (let i = 0; i < 5; i++) {
        const ref = { key: `k${i}`, client: `c${i}`, server: "s" };
        h.send(S, i, "Heartbeat", {}, ref);
    }
    t.strictSame(
        h.obs.allSessions().map((s) => s.key),
        ["k3", "k4"],
    );
    for (let i = 0; i < 10; i++) {
        h.send(
            C,
            10,
            "DeviceOpenRequest",
            { sequenceNumber: i, deviceName: `D${i}` },
            { key: "k4", client: "c4", server: "s" },
        );
    }
    for (let i = 0; i < 10; i++) {
        h.send(
            S,
            10,
            "DeviceOpenResponse",
            { sequenceNumber: i, callManagerID: 1, deviceID: i },
            { key: "k4", client: "c4", server: "s" },
        );
    }
    const s = h.obs.session("k4")!;
    t.equal(s.devices.length, 3);
    t.strictSame(
        s.devices.map((d) => d.name),
        ["D7", "D8", "D9"],
    );
    t.equal(h.obs.session("nope"), undefined);
});

t.test("messages from a version with shorter fixed parts (fields absent) are tolerated", async (t) => {
    const h = new Harness();
    h.open(0);
    const empty = (id: number): QbeMessage => ({ id, name: `m${id}`, known: true, fields: {}, size: 32 });
    for (const id of [
        0, 3, 4, 9, 10, 15, 16, 17, 22, 23, 30, 37, 38, 41, 42, 47, 48, 49, 84, 108, 111, 112, 113, 114, 126, 129, 155,
        206, 279, 280, 281,
    ]) {
        h.obs.onQbeMessage(REF, id === 3 || id === 16 ? C : S, empty(id), 10);
    }
    // The empty open request restarted the open; the empty completed event (reason absent = 0) completed it.
    t.equal(h.obs.session(REF.key)?.state, "closed", "the empty ProviderClosedEvent closed it");
    t.ok(h.events.every((e) => e.t === 0 || e.t === 20 || e.t === 10));
    t.notOk(h.events.some((e) => e.type === "DeviceOpened" || e.type === "CallStateChanged"));
});
