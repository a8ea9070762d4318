/**
 * Simulator-driven scenarios: the branch-office simulator (src/sim) runs a CallManager and phones on its
 * in-memory transport; every byte they send is mirrored as captured frames through the real pipeline
 * (wire → reassembly → SCCP framer/codec) into the model.
 */
import t, { type Test } from "tap";
import { ClusterModel } from "../../src/cluster/model.js";
import type { ClusterEvent, ClusterModelOptions } from "../../src/cluster/types.js";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import { sccpRoute } from "../../src/sccp/stream.js";
import { Branch, type BranchOptions } from "../../src/sim/branch.js";
import { frameSinkOutput } from "../../src/sim/synth.js";
import { WirePipeline } from "../../src/wire/pipeline.js";

interface Rig {
    b: Branch;
    model: ClusterModel;
    events: ClusterEvent[];
    /** Applies the model's time-outs at the simulator's current time. */
    tick(): void;
    /** The device name of the phone with this number. */
    dev(dn: string): string;
    lineChanges(dn?: string): string[];
    of<T extends ClusterEvent["type"]>(type: T): Extract<ClusterEvent, { type: T }>[];
}

async function rig(
    t: Test,
    opts: Omit<BranchOptions, "transport" | "tap">,
    modelOpts: ClusterModelOptions = {},
): Promise<Rig> {
    const events: ClusterEvent[] = [];
    const model = new ClusterModel({ ...modelOpts, onEvent: (e) => events.push(e) });
    const dispatcher = new ProtocolDispatcher([sccpRoute([2000], { observer: model })], () => {});
    const pipeline = new WirePipeline(dispatcher);
    const b = await Branch.start({ ...opts, transport: "memory", tap: frameSinkOutput(pipeline.onFrame) });
    t.teardown(() => b.stop());
    return {
        b,
        model,
        events,
        tick: () => model.tick(b.clock.now() / 1000),
        dev: (dn) => b.phone(dn).deviceName,
        lineChanges: (dn) =>
            events.flatMap((e) =>
                e.type === "LineStateChanged" && (dn === undefined || e.dn === dn) ? [`${e.dn}:${e.from}>${e.to}`] : [],
            ),
        of: <T extends ClusterEvent["type"]>(type: T) =>
            events.filter((e) => e.type === type) as Extract<ClusterEvent, { type: T }>[],
    };
}

/** The simulator saw no protocol error (checked at the end of each scenario). */
function clean(t: Test, r: Rig): void {
    t.same(r.b.errors().details, [], "no protocol errors in the simulator");
}

const three = [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }];

t.test("registration of a branch: devices, lines, templates with CallBack, phone time", async (t) => {
    const r = await rig(t, {
        phones: [
            { dn: "1001", model: "7960", dateTemplate: "D.M.Y", timeZone: "Europe/Berlin" },
            { dn: "1002", model: "7912", callBackKey: false },
        ],
    });
    t.same(r.lineChanges(), ["1001:unknown>idle", "1002:unknown>idle"]);
    const a = r.model.device(r.dev("1001"))!;
    t.match(a, {
        ip: "127.0.1.1",
        registration: "registered",
        model: "Cisco IP Phone 7960",
        dateTemplate: "D.M.Y",
        callStateMode: "callstate",
        softKeys: { callBackInOnHook: true, callBackInRingOut: true, source: "device" },
    });
    t.match(a.phoneTime, { utcOffsetS: 7200 });
    t.same(
        r.model.softKeyChecklist().map((c) => [c.device, c.onHook, c.ringOut]),
        [[r.dev("1002"), false, false]],
    );
    clean(t, r);
});

for (const busySignal of ["toneAndState", "tone", "state"] as const) {
    t.test(`busy (${busySignal}): A calls busy B, presses CallBack; B hangs up`, async (t) => {
        const r = await rig(t, { phones: three, busySignal });
        await r.b.call("1003", "1002");
        await r.b.answer("1002");
        await r.b.call("1001", "1002");
        await r.b.press("1001", "Callback");
        const cb = r.of("CallBackPressed");
        t.equal(cb.length, 1);
        t.match(cb[0], {
            device: r.dev("1001"),
            callerDn: "1001",
            calledDn: "1002",
            trigger: "busy",
            source: "softkey",
            softKeySet: 8,
        });
        t.equal(r.model.dnState("1002"), "busy");
        await r.b.hangUp("1002", { after: 5000 });
        t.equal(r.model.dnState("1002"), "idle");
        await r.b.hangUp("1001");
        t.same(r.lineChanges("1002"), [
            "1002:unknown>idle",
            "1002:idle>ringing",
            "1002:ringing>busy",
            "1002:busy>idle",
        ]);
        t.equal(r.model.dnState("1001"), "idle");
        clean(t, r);
    });
}

t.test("ringback: A calls idle B, presses CallBack while it rings; legs matched", async (t) => {
    const r = await rig(t, { phones: three, cm: { noAnswerTimeoutMs: 0 } });
    await r.b.call("1001", "1002");
    t.equal(r.model.dnState("1002"), "ringing");
    const calls = r.model.liveCalls();
    const a = calls.find((c) => c.device === r.dev("1001"))!;
    const b = calls.find((c) => c.device === r.dev("1002"))!;
    t.match(a, { direction: "outbound", state: 3, calledParty: "1002" });
    t.same(a.peer, { device: b.device, line: b.line, callRef: b.callRef });
    await r.b.press("1001", "Callback");
    t.match(r.of("CallBackPressed")[0], { calledDn: "1002", trigger: "ringback", callState: 3 });
    await r.b.hangUp("1001", { after: 3000 });
    t.equal(r.model.dnState("1002"), "idle");
    clean(t, r);
});

t.test("idle press: CallBack on the On Hook screen", async (t) => {
    const r = await rig(t, { phones: three });
    await r.b.press("1001", "Callback");
    t.match(r.of("CallBackPressed")[0], { callRef: 0, line: null, callState: null, callerDn: "1001", softKeySet: 0 });
    clean(t, r);
});

t.test("forward all / busy / no answer are learned and changes reported", async (t) => {
    const r = await rig(t, {
        phones: [{ dn: "1001" }, { dn: "1002", forward: { busy: "1003", noAnswer: "1003" } }, { dn: "1003" }],
        cm: { noAnswerTimeoutMs: 4000 },
    });
    t.match(r.model.dn("1002").forwarding, { all: null, busy: "1003", noAnswer: "1003" });
    r.events.length = 0;
    // No answer: 1002 rings, then the call goes to 1003.
    await r.b.call("1001", "1002");
    t.equal(r.model.dnState("1002"), "ringing");
    await r.b.advance(5000);
    t.equal(r.model.dnState("1002"), "idle");
    t.equal(r.model.dnState("1003"), "ringing");
    await r.b.hangUp("1001");
    // Forward all turned on: ForwardingChanged (what the Call Back engine cancels on).
    await r.b.forward("1002", { all: "1003" });
    t.match(r.of("ForwardingChanged").at(-1), { dn: "1002", from: { all: null }, to: { all: "1003", busy: "1003" } });
    t.match(r.model.dn("1002").forwarding, { all: "1003" });
    await r.b.forward("1002", { all: "" });
    t.match(r.of("ForwardingChanged").at(-1), { to: { all: null } });
    clean(t, r);
});

t.test("shared line: one DN on two phones", async (t) => {
    const r = await rig(t, { phones: [{ dn: "2000" }, { dn: ["2000"] }, { dn: "1001" }] });
    t.equal(r.model.dn("2000").devices.length, 2);
    await r.b.call("1001", "2000");
    t.same(
        r.model.dn("2000").devices.map((d) => d.state),
        ["ringing", "ringing"],
    );
    await r.b.answer("2000"); // the first phone with 2000
    t.equal(r.model.dnState("2000"), "busy");
    await r.b.hangUp("1001", { after: 2000 });
    t.equal(r.model.dnState("2000"), "idle");
    t.same(r.lineChanges("2000"), ["2000:unknown>idle", "2000:idle>ringing", "2000:ringing>busy", "2000:busy>idle"]);
    clean(t, r);
});

t.test("hold and resume", async (t) => {
    const r = await rig(t, { phones: three });
    await r.b.call("1001", "1002");
    await r.b.answer("1002");
    await r.b.play(r.b.scenario().hold("1001").wait(1000));
    t.match(r.model.device(r.dev("1001"))!.lines[0]!.calls[0], { stateName: "Hold" });
    t.equal(r.model.dnState("1001"), "busy");
    await r.b.play(r.b.scenario().resume("1001"));
    t.match(r.model.device(r.dev("1001"))!.lines[0]!.calls[0], { stateName: "Connected" });
    await r.b.hangUp("1002", { after: 1000 });
    t.equal(r.model.dnState("1001"), "idle");
    t.equal(r.model.dnState("1002"), "idle");
    clean(t, r);
});

t.test("call waiting: a second call while B talks", async (t) => {
    const r = await rig(t, { phones: [{ dn: "1001" }, { dn: "1002", busyTrigger: 2 }, { dn: "1003" }] });
    await r.b.call("1003", "1002");
    await r.b.answer("1002");
    await r.b.call("1001", "1002");
    const bCalls = r.model.device(r.dev("1002"))!.lines[0]!.calls;
    t.equal(bCalls.length, 2);
    t.equal(r.model.dnState("1002"), "busy");
    t.match(r.model.device(r.dev("1001"))!.lines[0]!.calls[0], { stateName: "RingOut" });
    await r.b.hangUp("1001", { after: 1000 });
    await r.b.hangUp("1003");
    t.equal(r.model.dnState("1002"), "idle");
    clean(t, r);
});

t.test("transfer: B transfers A to C", async (t) => {
    const r = await rig(t, { phones: three });
    await r.b.call("1001", "1002");
    await r.b.answer("1002");
    r.b.phone("1002").transfer();
    await r.b.settle();
    await r.b.call("1002", "1003");
    await r.b.answer("1003");
    r.b.phone("1002").transfer();
    await r.b.settle();
    t.equal(r.model.dnState("1002"), "idle");
    t.equal(r.model.dnState("1001"), "busy");
    t.equal(r.model.dnState("1003"), "busy");
    await r.b.hangUp("1001", { after: 1000 });
    t.equal(r.model.dnState("1003"), "idle");
    t.ok(r.of("SoftKeyPressed").some((e) => e.label === "Transfer"));
    clean(t, r);
});

t.test("re-registration: the phone restarts (TCP reset) and registers again", async (t) => {
    const r = await rig(t, { phones: three });
    r.events.length = 0;
    r.b.phone("1001").powerOff();
    await r.b.settle();
    t.match(r.of("DeviceUnregistered"), [{ device: r.dev("1001"), reason: "connection-closed" }]);
    t.equal(r.model.dnState("1001"), "unknown");
    const on = r.b.phone("1001").powerOn();
    await r.b.advance(5000);
    await on;
    t.match(r.of("DeviceRegistered"), [{ device: r.dev("1001"), inferred: false }]);
    t.same(r.lineChanges("1001"), ["1001:idle>unknown", "1001:unknown>idle"]);
    const d = r.model.device(r.dev("1001"))!;
    t.match(d.links, [{ role: "primary", state: "up", attempts: 2 }]);
    clean(t, r);
});

t.test("a Reset from the CallManager unregisters the phone", async (t) => {
    const r = await rig(t, { phones: three });
    r.b.cm.resetDevice(r.dev("1001"));
    await r.b.settle();
    t.match(r.of("DeviceUnregistered"), [{ device: r.dev("1001"), reason: "reset" }]);
    t.equal(r.model.dnState("1001"), "unknown");
    clean(t, r);
});

t.test("phone power-off: keepalives stop, the model unregisters it after 3 intervals", async (t) => {
    const r = await rig(t, { phones: three });
    r.b.phone("1002").powerOff({ silent: true });
    await r.b.advance(60_000);
    r.tick();
    t.equal(r.model.device(r.dev("1002"))!.registration, "registered");
    await r.b.advance(40_000);
    r.tick();
    t.match(r.model.device(r.dev("1002")), { registration: "unregistered", unregisteredReason: "keepalive-timeout" });
    t.equal(r.model.dnState("1002"), "unknown");
    t.equal(r.model.device(r.dev("1001"))!.registration, "registered");
    // Power back on: registered again.
    const on = r.b.phone("1002").powerOn();
    await r.b.advance(5000);
    await on;
    t.equal(r.model.dnState("1002"), "idle");
    clean(t, r);
});

t.test("CallManager failover to the standby link", async (t) => {
    const r = await rig(t, { phones: [{ dn: "1001" }], standby: true });
    await r.b.advance(1000);
    const d = r.model.device(r.dev("1001"))!;
    t.same(
        d.links.map((l) => [l.role, l.state]),
        [
            ["primary", "up"],
            ["standby", "up"],
        ],
    );
    const primaryCm = d.links[0]!.cm;
    const standbyCm = d.links[1]!.cm;
    r.events.length = 0;
    await r.b.cm.stop();
    await r.b.advance(2000);
    t.same(r.events.map((e) => e.type).slice(0, 3), [
        "DeviceUnregistered",
        "CallManagerLinkChanged",
        "LineStateChanged",
    ]);
    t.match(r.of("CallManagerLinkChanged").at(-1), {
        cm: standbyCm,
        roleFrom: "standby",
        role: "primary",
        reason: "failover",
    });
    t.match(r.of("DeviceRegistered")[0], { cm: standbyCm });
    t.equal(r.model.device(r.dev("1001"))!.cm, standbyCm);
    t.not(primaryCm, standbyCm);
    t.equal(r.model.dnState("1001"), "idle");
    clean(t, r);
});

t.test("old CallManager (2.x): no CallState, states derived", async (t) => {
    const r = await rig(t, { phones: three, cm: { generation: "cm2", interDigitTimeoutMs: 2000 } });
    t.equal(r.model.device(r.dev("1001"))!.callStateMode, "derived");
    // Dial by hand: off hook, then the digits on the keypad.
    const dial = async (from: string, to: string) => {
        r.b.phone(from).offHook();
        await r.b.settle();
        r.b.phone(from).keypad(to);
        await r.b.advance(3000);
    };
    await dial("1003", "1002");
    t.equal(r.model.dnState("1002"), "ringing");
    t.match(r.model.device(r.dev("1002"))!.lines[0]!.calls[0], { callingParty: "1003", state: 4 });
    await r.b.answer("1002");
    t.equal(r.model.dnState("1002"), "busy");
    await dial("1001", "1002");
    t.match(r.model.device(r.dev("1001"))!.lines[0]!.calls[0], { source: "derived", busySeen: true });
    r.b.phone("1001").pressButton(0x86);
    await r.b.settle();
    t.match(r.of("CallBackPressed")[0], { source: "stimulus", trigger: "busy" });
    await r.b.hangUp("1001");
    await r.b.hangUp("1003");
    await r.b.advance(1000);
    t.equal(r.model.dnState("1002"), "idle");
    t.equal(r.model.dnState("1001"), "idle");
    clean(t, r);
});

t.test("dynamic (V20) messages: 7961s with CallInfoV2 and LineStatV2Res", async (t) => {
    const r = await rig(t, { phones: [{ dn: "1001", model: "7961" }, { dn: "1002", model: "7961" }, { dn: "1003" }] });
    t.equal(r.model.device(r.dev("1001"))!.headerVersion, 20);
    await r.b.call("1003", "1002");
    await r.b.answer("1002");
    await r.b.call("1001", "1002");
    await r.b.press("1001", "Callback");
    t.match(r.of("CallBackPressed")[0], { calledDn: "1002", trigger: "busy", callerDn: "1001" });
    const call = r.model.device(r.dev("1001"))!.lines[0]!.calls[0]!;
    t.match(call, { callingParty: "1001", calledParty: "1002", direction: "outbound" });
    clean(t, r);
});
