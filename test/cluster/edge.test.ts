/** Edge cases: link limits, superseded links, line removal, fallbacks, hostile and malformed input. */
import fc from "fast-check";
import t from "tap";
import type { SccpFields, SccpMessage } from "../../src/sccp/codec.js";
import { callInfo, callState, Harness, tone } from "./helpers.js";
import "../helpers/seed.js";

const A = { name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001", "1101"] };

t.test("links: at most 4 per device; registering elsewhere supersedes the old primary", async (t) => {
    const h = new Harness();
    const p1 = h.register(A, 0);
    for (let i = 2; i <= 6; i++) h.link(A.ip, `10.0.0.${i}`).up(i, "KeepAliveReq");
    for (let i = 7; i <= 8; i++) h.link(A.ip, `10.0.0.${i}`).close(i, "rst");
    const links = h.model.device(A.name)!.links;
    t.equal(links.length, 4);
    t.equal(links[0]!.cm, "10.0.0.1:2000"); // the primary stays
    // The phone registers with another CallManager while the first link is still up.
    h.clear();
    const p9 = h.link(A.ip, "10.0.0.9");
    h.register(A, 10, p9);
    t.match(h.of("CallManagerLinkChanged"), [
        { cm: "10.0.0.1:2000", roleFrom: "primary", role: "unknown", from: "up", to: "down", reason: "superseded" },
        { cm: "10.0.0.9:2000", role: "primary", to: "up", reason: "register" },
    ]);
    // The old connection closing now changes nothing; a message on it makes it primary again (traffic).
    h.clear();
    p1.down(11, "CallState", { callState: 1, lineInstance: 1, callReference: 5 });
    t.match(h.of("CallManagerLinkChanged").at(-1), { cm: "10.0.0.1:2000", role: "primary", reason: "traffic" });
});

t.test("a registration without a device name stays anonymous", async (t) => {
    const h = new Harness();
    const l = h.link("10.1.0.40");
    l.up(0, "RegisterReq", { deviceName: "", deviceType: 7 });
    l.down(0, "RegisterAck", {
        keepAliveInterval: 30,
        dateTemplate: "M/D/Y",
        secondaryKeepAliveInterval: 60,
        maxProtocolVer: 6,
        phoneFeatures: 0,
    });
    t.match(h.model.deviceByIp("10.1.0.40"), { key: "@10.1.0.40", registration: "registered" });
    l.down(1, "RegisterAck", {
        keepAliveInterval: 30,
        dateTemplate: "M/D/Y",
        secondaryKeepAliveInterval: 60,
        maxProtocolVer: 6,
        phoneFeatures: 0,
    });
    t.equal(h.of("DeviceRegistered").length, 1, "a repeated ack is not a new registration");
});

t.test("an anonymous device's link to the same CallManager is dropped when it merges", async (t) => {
    const h = new Harness();
    h.register(A, 0);
    const s = h.link("10.1.0.99", "10.0.0.1");
    s.up(1, "KeepAliveReq");
    h.register({ ...A, ip: "10.1.0.99" }, 2);
    t.same(
        h.model.device(A.name)!.links.map((l) => l.cm),
        ["10.0.0.1:2000"],
    );
    s.up(3, "KeepAliveReq"); // the merged connection finds its link again
    t.equal(h.model.device(A.name)!.links.length, 1);
});

t.test("a button template with fewer lines removes the others", async (t) => {
    const h = new Harness();
    const l = h.register(A, 0);
    callState(l, 1, 5, 2, 77);
    h.clear();
    l.down(2, "ButtonTemplateRes", {
        buttonOffset: 0,
        buttonCount: 1,
        totalButtonCount: 1,
        definition: [{ instanceNumber: 1, buttonDefinition: 9 }],
    });
    t.same(
        h.model.device(A.name)!.lines.map((x) => x.instance),
        [1],
    );
    t.same(h.lineChanges(), ["1101:busy>unknown"]);
    t.equal(h.model.isKnownDn("1101"), false);
    // A partial page adds lines and removes none.
    l.down(3, "ButtonTemplateRes", {
        buttonOffset: 1,
        buttonCount: 1,
        totalButtonCount: 2,
        definition: [{ instanceNumber: 2, buttonDefinition: 9 }],
    });
    t.equal(h.model.device(A.name)!.lines.length, 2);
});

t.test("CallBack trigger from what the call heard before the tone stopped", async (t) => {
    const h = new Harness();
    const l = h.register(A, 0);
    const press = (ref: number) => l.up(9, "SoftKeyEvent", { softKeyEvent: 35, lineInstance: 1, callReference: ref });
    callState(l, 1, 12, 1, 1);
    tone(l, 1, 0x24, 1, 1);
    l.down(2, "StopTone", { lineInstance: 1, callReference: 1 });
    press(1);
    callState(l, 1, 12, 1, 2);
    tone(l, 1, 0x25, 1, 2);
    l.down(2, "StopTone", { lineInstance: 1, callReference: 2 });
    press(2);
    callState(l, 1, 12, 1, 3);
    tone(l, 1, 0x23, 1, 3);
    l.down(2, "StopTone", { lineInstance: 1, callReference: 3 });
    press(3);
    callState(l, 1, 12, 1, 4);
    press(4);
    callState(l, 1, 7, 1, 5);
    press(5);
    // Inbound: no called number for Call Back; the DN falls back to the dialled digits.
    callState(l, 1, 4, 1, 6);
    callInfo(l, 1, 1, 6, 1, "2000", "1001");
    press(6);
    callState(l, 1, 1, 1, 7);
    l.down(1, "DialedNumber", { dialedNumber: "3000", lineInstance: 1, callReference: 7 });
    press(7);
    t.same(
        h.of("CallBackPressed").map((e) => [e.callRef, e.trigger, e.calledDn]),
        [
            [1, "ringback", null],
            [2, "reorder", null],
            [3, "busy", null],
            [4, null, null],
            [5, "reorder", null],
            [6, null, null],
            [7, null, "3000"],
        ],
    );
    // Pressed on a call reference that is not on the given line, or unknown.
    l.up(10, "SoftKeyEvent", { softKeyEvent: 35, lineInstance: 2, callReference: 7 });
    l.up(10, "SoftKeyEvent", { softKeyEvent: 35, lineInstance: 2, callReference: 999 });
    t.same(
        h
            .of("CallBackPressed")
            .slice(-2)
            .map((e) => [e.line, e.callRef, e.callState]),
        [
            [1, 7, 1],
            [2, 999, null],
        ],
    );
    // A CallBack press on line 2's idle screen names line 2's DN.
    l.up(11, "SoftKeyEvent", { softKeyEvent: 35, lineInstance: 2, callReference: 0 });
    t.match(h.of("CallBackPressed").at(-1), { line: 2, callerDn: "1101", callRef: 0 });
});

t.test("a device that has no DN yet names the first line that has one", async (t) => {
    const h = new Harness();
    const l = h.link("10.1.0.41", "10.0.0.1", { midstream: true });
    l.down(0, "LineStatRes", {
        lineNumber: 2,
        lineDirNumber: "4002",
        lineFullyQualifiedDisplayName: "",
        lineTextLabel: "",
        lineDisplayOptions: 0,
    });
    l.up(1, "Stimulus", { stimulus: 0x86, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
    t.match(h.of("CallBackPressed")[0], { callerDn: "4002", line: 1 });
    l.down(2, "LineStatRes", {
        lineNumber: 2,
        lineDirNumber: "",
        lineFullyQualifiedDisplayName: "",
        lineTextLabel: "",
        lineDisplayOptions: 0,
    });
    t.equal(h.model.isKnownDn("4002"), false);
});

t.test("old-protocol phones: several calls, hold, and the active call", async (t) => {
    const h = new Harness();
    const l = h.link("10.1.0.42", "10.0.0.11", { midstream: true });
    l.down(0, "SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: 2 });
    l.down(0, "SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: 4 }); // held
    l.down(1, "SetLamp", { stimulus: 9, stimulusInstance: 2, lampMode: 2 }); // a second call on line 2
    l.down(2, "StartTone", { tone: 0x24 }); // goes to the active (not held) call
    const calls = h.model.deviceByIp("10.1.0.42")!.lines.map((x) => x.calls[0]!.state);
    t.same(calls, [8, 3]);
    l.up(3, "OnHook"); // ends the active call, not the held one
    t.same(
        h.model.deviceByIp("10.1.0.42")!.lines.map((x) => x.calls.length),
        [1, 0],
    );
    l.up(4, "OnHook", { lineInstance: 1, callReference: 0 });
    t.equal(h.model.liveCalls().length, 1, "a held call survives an on-hook");
    l.up(5, "OffHook", { lineInstance: 2, callReference: 0 });
    l.down(5, "StartTone", { tone: 0x21, "tone.output.direction": 0, lineInstance: 2, callReference: 0 });
    t.equal(h.model.deviceByIp("10.1.0.42")!.lines[1]!.calls.length, 1);
    l.up(6, "KeypadButton", { kpButton: 5, lineInstance: 2, callReference: 0 });
    t.equal(h.model.deviceByIp("10.1.0.42")!.lines[1]!.calls[0]!.dialed, "5");
    for (let i = 0; i < 40; i++) l.up(7, "KeypadButton", { kpButton: 1, lineInstance: 2, callReference: 0 });
    t.equal(h.model.deviceByIp("10.1.0.42")!.lines[1]!.calls[0]!.dialed!.length, 32);
});

t.test("messages on a connection whose device was evicted start a new device", async (t) => {
    const h = new Harness({ maxDevices: 1 });
    const a = h.register({ name: "SEP0000000000A1", ip: "10.2.0.1", dns: ["1"] }, 0);
    h.register({ name: "SEP0000000000A2", ip: "10.2.0.2", dns: ["2"] }, 1);
    t.equal(h.model.device("SEP0000000000A1"), null);
    a.down(2, "CallState", { callState: 1, lineInstance: 1, callReference: 1 });
    t.ok(h.model.device("@10.2.0.1"));
    a.close(3, "fin");
    t.equal(h.model.stats().devicesEvicted, 2);
});

t.test("the CallManager template memory is bounded", async (t) => {
    const h = new Harness();
    for (let i = 0; i < 70; i++)
        h.register(
            {
                name: `SEP0000000001${(i + 16).toString(16).padStart(2, "0")}`,
                ip: `10.3.0.${i}`,
                dns: [`${i}`],
                cm: `10.9.0.${i}`,
            },
            i,
        );
    t.equal(h.model.stats().devices, 70);
});

/** Every message the model handles, with no fields at all: defaults apply, nothing throws. */
const HANDLED = [
    0x0000, 0x0001, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0020, 0x0024, 0x0026, 0x0027, 0x0081, 0x0082, 0x0083,
    0x0085, 0x0086, 0x008a, 0x008c, 0x008f, 0x0090, 0x0092, 0x0093, 0x0094, 0x0097, 0x009d, 0x009f, 0x0100, 0x0105,
    0x0108, 0x0109, 0x0110, 0x0111, 0x0112, 0x011d, 0x0118, 0x0142, 0x0145, 0x0147, 0x014a, 0x0154, 0x0300, 0x8100,
];

function raw(id: number, fields: SccpFields): SccpMessage {
    return { hv: 0, id, name: "X", fields };
}

t.test("messages without fields (bypassing the codec) are taken with defaults", async (t) => {
    const h = new Harness();
    const l = h.register(A, 0);
    callState(l, 0, 5, 1, 10);
    for (const dir of [0, 1] as const) for (const id of HANDLED) h.model.onSccpMessage(l.ctx, dir, raw(id, {}), 1);
    h.model.onSccpMessage(
        l.ctx,
        1,
        raw(0x0097, { definition: [7, { buttonDefinition: 9 }] as unknown as SccpFields[] }),
        2,
    );
    h.model.onSccpMessage(l.ctx, 1, raw(0x0112, { promptStatusCodes: "\u0080\u0019" }), 2);
    h.model.onSccpMessage(l.ctx, 0, raw(0x0020, { text: "no load here" }), 2);
    h.model.tick(3);
    t.equal(h.model.stats().calls, h.model.liveCalls().length);
    t.pass("no exception");
});

t.test("random message sequences never throw and keep the counters consistent", async (t) => {
    const ids = [...HANDLED, 0x0111, 0x0111, 0x008f, 0x0082, 0x0086, 0x0085, 0x0110];
    const value = fc.oneof(
        fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 8, 9, 13, 0x23, 0x24, 0x86, 255, 2 ** 32 - 1),
        fc.string({ maxLength: 4 }),
    );
    const message = fc.record({
        conn: fc.integer({ min: 0, max: 3 }),
        dir: fc.constantFrom(0 as const, 1 as const),
        id: fc.constantFrom(...ids),
        fields: fc.dictionary(
            fc.constantFrom(
                "deviceName",
                "lineInstance",
                "callReference",
                "callState",
                "tone",
                "lampMode",
                "stimulus",
                "stimulusInstance",
                "ringMode",
                "lineNumber",
                "lineDirNumber",
                "softKeyEvent",
                "softKeySetIndex",
                "callType",
                "callingParty",
                "calledParty",
                "kpButton",
                "status",
                "resetType",
                "keepAliveInterval",
                "maxProtocolVer",
            ),
            value,
        ),
        gap: fc.boolean(),
        close: fc.constantFrom(null, null, null, null, "fin" as const, "end" as const),
    });
    fc.assert(
        fc.property(fc.array(message, { maxLength: 120 }), (steps) => {
            const h = new Harness({ maxDevices: 3, maxCalls: 8 });
            const links = [0, 1, 2, 3].map((i) => h.link(`10.4.0.${i & 1}`, `10.0.0.${i}`, { midstream: i > 1 }));
            let ts = 0;
            for (const s of steps) {
                ts += 1;
                const l = links[s.conn]!;
                h.model.onSccpMessage(l.ctx, s.dir, raw(s.id, s.fields as SccpFields), ts);
                if (s.gap) l.gap(ts);
                if (s.close !== null) {
                    l.close(ts, s.close);
                    links[s.conn] = h.link(`10.4.0.${s.conn & 1}`, `10.0.0.${s.conn}`);
                }
                if (ts % 7 === 0) h.model.tick(ts * 20);
            }
            const st = h.model.stats();
            if (st.calls !== h.model.liveCalls().length) return false;
            if (st.devices > 3 || st.calls > 8) return false;
            for (const dn of h.model.allDns()) {
                if (!["idle", "ringing", "busy", "unknown"].includes(h.model.dnState(dn))) return false;
            }
            JSON.stringify(h.model.allDevices());
            return true;
        }),
        { numRuns: 300, seed: 42 },
    );
    t.pass("300 random sequences");
});
