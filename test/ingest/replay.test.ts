/**
 * Replaying the real captures through the whole pipeline gives the model a person reading the decoded
 * capture writes down (expectations written by hand from `callbackd decode`).
 */
import t from "tap";
import { ClusterModel } from "../../src/cluster/model.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { replayCapture } from "../../src/ingest/replay.js";

const DIR = new URL("../fixtures/captures/", import.meta.url).pathname;

async function replay(file: string) {
    const events: ClusterEvent[] = [];
    const model = new ClusterModel({ onEvent: (e) => events.push(e) });
    const summary = await replayCapture(DIR + file, model);
    const t0 = summary.firstTs;
    /** Events as [relative ms, type, key fields]. */
    const timeline = events.map((e) => {
        const rel = Math.round((e.t - t0) * 1000);
        switch (e.type) {
            case "LineStateChanged":
                return [rel, e.type, `${e.dn} ${e.from}>${e.to}`];
            case "CallManagerLinkChanged":
                return [rel, e.type, `${e.device} ${e.cm} ${e.role} ${e.from}>${e.to} ${e.reason}`];
            case "DeviceRegistered":
                return [rel, e.type, `${e.device} ${e.cm}${e.inferred ? " inferred" : ""}`];
            case "SoftKeyPressed":
                return [rel, e.type, `${e.device} ${e.source} ${e.label} line=${e.line} ref=${e.callRef}`];
            default:
                return [rel, e.type, ""];
        }
    });
    return { model, events, summary, timeline, t0 };
}

t.test("7912 + CallManager 4.1: registration, inbound call from 1003 answered and ended", async (t) => {
    const { model, timeline, summary, t0 } = await replay("pyskinny_cm_call_from_pyskinny_to_7912.pcapng");
    t.equal(summary.capture.frames, 3152);
    t.strictSame(timeline, [
        // 24 refused connection attempts to 10.102.172.11 before the phone turns to 10.0.0.180: reported once.
        [281, "CallManagerLinkChanged", "@10.102.10.209 10.102.172.11:2000 unknown null>refused refused"],
        [34174, "CallManagerLinkChanged", "SEP001380AD9E5F 10.0.0.180:2000 primary null>up register"],
        [34175, "DeviceRegistered", "SEP001380AD9E5F 10.0.0.180:2000"],
        [34425, "LineStateChanged", "1012 unknown>idle"],
        [44387, "LineStateChanged", "1012 idle>ringing"], // CallState RingIn
        [53383, "LineStateChanged", "1012 ringing>busy"], // answered: OffHook, Connected
        [83368, "SoftKeyPressed", "SEP001380AD9E5F softkey Endcall line=1 ref=16777247"],
        [83378, "LineStateChanged", "1012 busy>idle"],
    ]);
    const d = model.device("SEP001380AD9E5F");
    t.ok(d);
    t.match(d, {
        name: "SEP001380AD9E5F",
        mac: "001380AD9E5F",
        ip: "10.102.10.209",
        stationIp: "10.102.10.209",
        deviceType: 30007,
        model: "Cisco IP Phone 7912",
        supportsCallBackSoftkey: true,
        firmware: "CP7912060000SCCP050124A",
        protocolVersion: 7,
        cmProtocolVersion: 6,
        headerVersion: 0,
        registration: "registered",
        inferred: false,
        keepAliveS: 30,
        secondaryKeepAliveS: 60,
        dateTemplate: "M/D/Y",
        cm: "10.0.0.180:2000",
        uncertain: false,
        callStateMode: "callstate",
    });
    t.same(
        d!.links.map((l) => [l.cm, l.role, l.state, l.attempts, l.keepAlives]),
        [
            ["10.102.172.11:2000", "unknown", "refused", 24, 0],
            ["10.0.0.180:2000", "primary", "up", 1, 1],
        ],
    );
    t.same(
        d!.lines.map((l) => [l.instance, l.dn, l.displayName, l.label, l.state, l.calls.length]),
        [[1, "1012", "8165551012", "1012", "idle", 0]],
    );
    // CUCM 4.1's template: no CallBack key at all, so the checklist reports the phone.
    t.match(d!.softKeys, { source: "device", callBackEvent: null, callBackInOnHook: false, callBackInRingOut: false });
    t.equal(d!.softKeys.keys.length, 20);
    t.same(
        d!.softKeys.keys.find((k) => k.event === 21),
        { event: 21, label: "Barge", labelCode: 0x43 },
    );
    t.same(model.softKeyChecklist(), [
        {
            device: "SEP001380AD9E5F",
            name: "SEP001380AD9E5F",
            model: "Cisco IP Phone 7912",
            onHook: false,
            ringOut: false,
        },
    ]);
    // DefineTimeDate at the end of the call: 2026-06-03 20:27:28 (systemTime says UTC+0).
    t.match(d!.phoneTime, {
        year: 2026,
        month: 6,
        day: 3,
        hour: 20,
        minute: 27,
        second: 28,
        dayOfWeek: 3,
        utcOffsetS: 0,
    });
    t.match(model.phoneTime("SEP001380AD9E5F", t0 + 83.5 + 60), { hour: 20, minute: 28, second: 28 });
    t.same(model.dn("1012"), {
        dn: "1012",
        state: "idle",
        uncertain: false,
        stateSource: "sccp",
        known: true,
        devices: [
            { device: "SEP001380AD9E5F", name: "SEP001380AD9E5F", line: 1, registration: "registered", state: "idle" },
        ],
        forwarding: null,
        static: [],
        cti: null,
    });
    t.equal(model.deviceByIp("10.102.10.209")?.key, "SEP001380AD9E5F");
    // The one call, as the recent-calls list keeps it.
    const calls = model.recentCalls();
    t.equal(calls.length, 1);
    t.match(calls[0], {
        device: "SEP001380AD9E5F",
        line: 1,
        callRef: 16777247,
        state: 5,
        stateName: "Connected",
        source: "callstate",
        direction: "inbound",
        callingParty: "1003",
        callingPartyName: "Python",
        calledParty: "1012",
        softKeySet: 1,
    });
    t.equal(Math.round((calls[0]!.startedAt - t0) * 1000), 44387);
    t.equal(Math.round((calls[0]!.connectedAt! - t0) * 1000), 53383);
    t.equal(Math.round((calls[0]!.endedAt! - t0) * 1000), 83378);
    t.equal(model.liveCalls().length, 0);
    // The file ends with the connection still open: the phone stays registered.
    t.match(model.stats(), { devices: 1, calls: 0, connections: 0, gaps: 0, callsEnded: 1 });
});

t.test("7912 + CallManager 4.1: NewCall (dial tone) then EndCall", async (t) => {
    const { model, timeline } = await replay("pyskinny_cm_cap.pcapng");
    t.strictSame(timeline, [
        [34206, "CallManagerLinkChanged", "SEP001380AD9E5F 10.0.0.180:2000 primary null>up register"],
        [34209, "DeviceRegistered", "SEP001380AD9E5F 10.0.0.180:2000"],
        [34470, "LineStateChanged", "1012 unknown>idle"],
        [66140, "SoftKeyPressed", "SEP001380AD9E5F softkey Newcall line=null ref=0"],
        [66177, "LineStateChanged", "1012 idle>busy"], // CallState OffHook: the line is in use while dialling
        [68783, "SoftKeyPressed", "SEP001380AD9E5F softkey Endcall line=1 ref=16777242"],
        [68829, "LineStateChanged", "1012 busy>idle"],
    ]);
    const call = model.recentCalls()[0];
    t.match(call, { callRef: 16777242, state: 1, direction: "outbound", softKeySet: 4, dialed: null });
    t.equal(model.device("SEP001380AD9E5F")?.registration, "registered");
    t.match(model.device("SEP001380AD9E5F")?.phoneTime, { hour: 19, minute: 10, second: 52 });
});

t.test("virtual phone + CallManager 2.x joined mid-call: hold and resume without CallState", async (t) => {
    const { model, timeline, t0 } = await replay("pyskinny_vphone_hold_unhold.pcap");
    t.strictSame(timeline, [
        // Joined mid-stream: no registration seen; the phone's call traffic shows it is registered.
        [0, "CallManagerLinkChanged", "@10.0.1.130 10.0.0.11:2000 primary null>up traffic"],
        [0, "DeviceRegistered", "@10.0.1.130 10.0.0.11:2000 inferred"],
        [0, "SoftKeyPressed", "@10.0.1.130 stimulus Hold line=1 ref=0"],
        [4184, "SoftKeyPressed", "@10.0.1.130 stimulus Hold line=1 ref=0"],
        [10685, "SoftKeyPressed", "@10.0.1.130 stimulus Line line=1 ref=0"],
    ]);
    const d = model.deviceByIp("10.0.1.130")!;
    t.match(d, {
        key: "@10.0.1.130",
        name: null,
        registration: "registered",
        inferred: true,
        callStateMode: "derived",
        cm: "10.0.0.11:2000",
        uncertain: false,
    });
    // The line lamp: Flash (held) after the first Hold, then Wink and On: the call is back.
    t.equal(d.lines.length, 1);
    const line = d.lines[0]!;
    t.match(line, { instance: 1, dn: null, state: "busy", uncertain: false });
    t.equal(line.calls.length, 1);
    t.match(line.calls[0], {
        callRef: 0,
        state: 5,
        source: "derived",
        callingParty: "1091",
        callingPartyName: "Line 1091",
        calledParty: "1099",
        calledPartyName: "John Doe",
        direction: "unknown",
        tone: null,
    });
    t.equal(Math.round((line.calls[0]!.startedAt - t0) * 1000), 135); // SetLamp Flash
    t.equal(Math.round((line.calls[0]!.connectedAt! - t0) * 1000), 4360); // SetLamp On
    // CallManager time: 16:35:33 local, systemTime says UTC-5.
    t.match(d.phoneTime, { year: 2026, month: 6, day: 5, hour: 16, minute: 35, utcOffsetS: -5 * 3600 });
    t.equal(model.allDns().length, 0);
});

t.test("V22 LineStatV2Res: line 1 is DN 1001", async (t) => {
    const { model, timeline } = await replay("sccprs_line_status_7961_v22.pcap");
    t.strictSame(timeline, [
        [0, "CallManagerLinkChanged", "@10.2.2.2 10.1.1.1:2000 primary null>up traffic"],
        [0, "DeviceRegistered", "@10.2.2.2 10.1.1.1:2000 inferred"],
        [0, "LineStateChanged", "1001 unknown>idle"],
    ]);
    const d = model.deviceByIp("10.2.2.2")!;
    t.match(d, { headerVersion: 22, registration: "registered", inferred: true });
    t.same(
        d.lines.map((l) => [l.instance, l.dn, l.dnSource, l.displayName, l.label]),
        [[1, "1001", "linestat", "1001", "1001"]],
    );
    t.match(model.dn("1001"), { state: "idle", known: true, devices: [{ device: "@10.2.2.2", line: 1 }] });
});

t.test("replaying the same capture twice gives the same events (determinism)", async (t) => {
    const a = await replay("pyskinny_cm_call_from_pyskinny_to_7912.pcapng");
    const b = await replay("pyskinny_cm_call_from_pyskinny_to_7912.pcapng");
    t.strictSame(a.events, b.events);
    t.strictSame(a.model.allDevices(), b.model.allDevices());
});
