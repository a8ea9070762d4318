/** Phone links: registration and the generation chosen, rejects, configuration requests, keepalive loss. */

import { EventEmitter } from "node:events";
import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { addDevice } from "../../../src/sim/cm/directory.js";
import { accept, dropConn } from "../../../src/sim/cm/registration.js";
import { createState } from "../../../src/sim/cm/state.js";
import type { SimCallManagerEvents } from "../../../src/sim/cm/types.js";
import { MemoryNetwork } from "../../../src/sim/network.js";
import { SimPhone } from "../../../src/sim/phone.js";
import { testCm } from "../helpers/cm.js";

function setup(options = {}) {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock);
    const events = new EventEmitter<SimCallManagerEvents>();
    const s = createState(clock, options, events);
    const server = net.listenSync("10.0.0.1", 2000, (link) => accept(s, link));
    const phone = (ip: string, model = "7960") =>
        new SimPhone({ ip, model, clock, network: net, callManagers: [{ host: server.host, port: server.port }] });
    return { clock, net, s, events, phone };
}

t.test("a provisioned phone registers and gets its lines; the link's generation follows the phone", async (t) => {
    const { s, net, events, phone } = setup();
    addDevice(s, { deviceName: "SEP001E4A000001", lines: ["1001"] });
    addDevice(s, { deviceName: "SEP001E4A000002", lines: ["1002"] });
    const registered: string[] = [];
    events.on("registered", (n) => registered.push(n));
    const old = phone("10.0.0.1", "7960");
    const v20 = phone("10.0.0.2", "7961");
    old.begin();
    v20.begin();
    await net.settle();
    t.same(registered.sort(), ["SEP001E4A000001", "SEP001E4A000002"]);
    t.same(old.lines, ["1001"]);
    t.equal(s.devices.get("SEP001E4A000001")?.conn?.gen, "cm4");
    t.equal(s.devices.get("SEP001E4A000002")?.conn?.gen, "v20");
    t.equal(s.stats.registrations, 2);
    t.ok(s.stats.messagesIn > 10);
});

t.test("an unknown device is rejected unless auto-registration is on", async (t) => {
    const a = setup();
    const p = a.phone("10.0.0.3");
    p.begin();
    await a.net.settle();
    t.equal(a.s.stats.rejects, 1);
    t.notOk(p.registered);
    const b = setup({ autoRegister: true });
    const q = b.phone("10.0.0.3");
    q.begin();
    await b.net.settle();
    t.ok(q.registered);
    t.same(q.lines, []);
});

t.test("a link without keepalives is dropped and its device unregistered", async (t) => {
    const { s, net, clock, events, phone } = setup({ keepAliveTimeoutMs: 5000 });
    addDevice(s, { deviceName: "SEP001E4A000001", lines: ["1001"] });
    const gone: string[] = [];
    events.on("unregistered", (n, why) => gone.push(`${n}: ${why}`));
    const p = phone("10.0.0.1");
    p.begin();
    await net.settle();
    p.powerOff({ silent: true });
    clock.advance(6000);
    await net.settle();
    t.same(gone, ["SEP001E4A000001: keepalive timeout"]);
    t.equal(s.stats.keepAliveTimeouts, 1);
    t.equal(s.conns.size, 0);
});

t.test("dropping a connection twice is harmless", async (t) => {
    const cm = testCm();
    const conn = cm.station({ deviceName: "SEPA", lines: ["1001"] });
    const gone: string[] = [];
    cm.events.on("unregistered", (n) => gone.push(n));
    dropConn(cm.s, conn, "test");
    dropConn(cm.s, conn, "test");
    t.same(gone, ["SEPA"]);
    t.equal(cm.s.devices.get("SEPA")?.conn, null);
});
