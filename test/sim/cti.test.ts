/**
 * The simulated CTIManager and CTI application: provider open with the server's heartbeat intervals, lines
 * opened on a phone's device, the line's calls reported from the simulated CallManager's legs, heartbeats
 * that keep the session up, a silent application dropped by the server; and the box's own decoder (framer,
 * codec, CTI link observer) reading what the mirror tap carries, without a protocol problem.
 */
import { type AddressInfo, createServer } from "node:net";
import t, { type Test } from "tap";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import { type CtiEvent, CtiLinkObserver } from "../../src/qbe/link.js";
import { newQbeStreamStats, qbeRoute } from "../../src/qbe/stream.js";
import { Branch } from "../../src/sim/branch.js";
import { SimCtiApp } from "../../src/sim/ctiApp.js";
import { CtiCallState, ctiStateOf, SimCtiManager } from "../../src/sim/ctiManager.js";
import { frameSinkOutput } from "../../src/sim/synth.js";
import { CallState } from "../../src/sim/types.js";
import { WirePipeline } from "../../src/wire/pipeline.js";

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** A branch (1001, 1002, 1003) with a CTIManager whose traffic the box's QBE decoder reads from the tap. */
async function office(t: Test, heartbeatS = 10) {
    const ctiPort = await freePort();
    const events: CtiEvent[] = [];
    const observer = new CtiLinkObserver((e) => events.push(e));
    const stats = newQbeStreamStats();
    const pipeline = new WirePipeline(
        new ProtocolDispatcher([qbeRoute([ctiPort], { observer, stats })], () => {}, null),
        { serverPorts: [ctiPort] },
    );
    const b = await Branch.start({
        phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        tap: frameSinkOutput(pipeline.onFrame),
    });
    const cti = new SimCtiManager({ cm: b.cm, port: ctiPort });
    await cti.start();
    const app = new SimCtiApp({
        network: b.network,
        clock: b.clock,
        host: "127.0.0.1",
        port: ctiPort,
        localAddress: "127.0.0.10",
        heartbeatS,
        devices: [{ deviceName: b.phone("1002").deviceName, lines: ["1002"] }],
    });
    t.teardown(async () => {
        app.abort();
        await cti.stop();
        await b.stop();
    });
    return { b, cti, app, events, observer, stats };
}

t.test("SCCP call states map to the CTI states a line reports", async (t) => {
    t.equal(ctiStateOf(CallState.RingIn), CtiCallState.OFFERING);
    t.equal(ctiStateOf(CallState.Connected), CtiCallState.CONNECTED);
    t.equal(ctiStateOf(CallState.RingOut), CtiCallState.RINGBACK);
    t.equal(ctiStateOf(CallState.Busy), CtiCallState.BUSY);
    t.equal(ctiStateOf(CallState.Hold), CtiCallState.ONHOLD);
    t.equal(ctiStateOf(CallState.OffHook), CtiCallState.DIALTONE);
    t.equal(ctiStateOf(CallState.CallRemoteMultiline), CtiCallState.REMOTEINUSE);
    t.equal(ctiStateOf(CallState.OnHook), CtiCallState.IDLE);
});

t.test("a CTI application opens a line and follows its calls; the box decodes every frame", async (t) => {
    const { b, cti, app, events, observer, stats } = await office(t);
    await b.drive(app.start());
    t.equal(app.state, "open");
    t.same(app.openLines, ["1002"]);
    t.equal(app.clientHeartbeatS, 10, "the server took the interval the application asked for");
    t.equal(cti.providers, 1);
    const up = events.find((e) => e.type === "LinkUp");
    t.match(up, { clientHeartbeatS: 10, serverHeartbeatS: 10, inferred: false }, "the box saw the provider open");
    t.match(
        events.find((e) => e.type === "LineOpened"),
        { lineName: "1002", deviceName: b.phone("1002").deviceName },
    );

    await b.call("1001", "1002");
    t.same(app.lineStates("1002"), [CtiCallState.OFFERING], "ringing");
    await b.answer("1002");
    t.same(app.lineStates("1002"), [CtiCallState.CONNECTED], "connected");
    const states = events.filter((e) => e.type === "CallStateChanged").map((e) => (e as { state: number }).state);
    t.same(states, [CtiCallState.OFFERING, CtiCallState.CONNECTED], "the box saw the same states");
    await b.hangUp("1001");
    t.same(app.lineStates("1002"), [], "idle again");
    t.ok(
        events.some((e) => e.type === "CallClosed"),
        "CallClosedEvent decoded",
    );

    // a quiet hour: heartbeats both ways keep the session up at both ends and in the box's eyes
    await b.advance(60 * 60_000);
    observer.tick(b.clock.now());
    t.equal(app.state, "open");
    t.equal(cti.providers, 1);
    t.notOk(
        events.some((e) => e.type === "LinkDown"),
        "no heartbeat timeout",
    );
    const s = observer.allSessions()[0];
    t.ok((s?.heartbeats[0] ?? 0) > 300 && (s?.heartbeats[1] ?? 0) > 300, "heartbeats both ways");
    t.same(app.errors, []);
    t.same(cti.errors, []);
    t.match(stats, { unknown: 0, problems: 0, resyncs: 0 }, "no decoding problem");
    t.ok(stats.frames > 600, "frames decoded");
    t.same(b.errors().details, []);
});

t.test("a line opened during a call gets it as an existing call", async (t) => {
    const { b, app } = await office(t);
    await b.call("1003", "1002");
    await b.answer("1002");
    await b.drive(app.start());
    t.same(app.lineStates("1002"), [CtiCallState.CONNECTED]);
});

t.test("a silent application: the CTIManager closes its provider after two client intervals", async (t) => {
    const { b, cti, app, events, observer } = await office(t, 5);
    await b.drive(app.start());
    const closed: string[] = [];
    cti.on("providerClosed", (_login, why) => closed.push(why));
    app.freeze();
    await b.advance(9_000);
    t.same(closed, [], "within two intervals: still open");
    await b.advance(5_000);
    t.same(closed, ["heartbeat missed"]);
    t.equal(cti.stats.heartbeatsMissed, 1);
    observer.tick(b.clock.now());
    t.ok(
        events.some((e) => e.type === "LinkDown"),
        "the box sees the link go down",
    );
});

t.test("the application's provider close and a CTIManager shutdown", async (t) => {
    const { b, cti, app, events } = await office(t);
    await b.drive(app.start());
    app.stop();
    await b.advance(100);
    t.equal(app.state, "closed");
    t.equal(cti.providers, 0);
    t.match(events.at(-1), { type: "LinkDown", reason: "provider-closed" });

    const again = new SimCtiApp({ network: b.network, clock: b.clock, host: "127.0.0.1", port: cti.address.port });
    await b.drive(again.start());
    t.equal(cti.providers, 1);
    const reasons: string[] = [];
    again.on("closed", (r) => reasons.push(r));
    cti.closeProviders();
    await b.advance(100);
    t.match(reasons, [/provider closed by the CTIManager \(reason 2\)/]);
});

t.test("a refused login and an unknown line fail the open", async (t) => {
    const { b } = await office(t);
    const cti = new SimCtiManager({ cm: b.cm, rejectLogins: ["nobody"] });
    await cti.start();
    t.teardown(() => cti.stop());
    const port = cti.address.port;
    const refused = new SimCtiApp({ network: b.network, clock: b.clock, host: "127.0.0.1", port, login: "nobody" });
    await t.rejects(b.drive(refused.start()), { code: "SIM_CTI_OPEN", message: /Directory login failed/ });
    const wrong = new SimCtiApp({
        network: b.network,
        clock: b.clock,
        host: "127.0.0.1",
        port,
        devices: [{ deviceName: b.phone("1001").deviceName, lines: ["1009"] }],
    });
    await t.rejects(b.drive(wrong.start()), { message: /no line 1009/ });
    wrong.abort();
});
