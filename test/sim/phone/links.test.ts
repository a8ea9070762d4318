/** CallManager links: registration exchange, standby link and failover, reconnect, reject, keepalive loss. */
import { EventEmitter } from "node:events";
import t from "tap";
import { SimCallManager } from "../../../src/sim/callManager.js";
import { ManualClock } from "../../../src/sim/clock.js";
import { phoneModel } from "../../../src/sim/models.js";
import { MemoryNetwork } from "../../../src/sim/network.js";
import { closeLinks, connectPrimary, halt, setUnregistered } from "../../../src/sim/phone/links.js";
import { createState, type PhoneState } from "../../../src/sim/phone/state.js";
import type { SimPhoneOptions } from "../../../src/sim/phone/types.js";
import type { SimPhoneEvents } from "../../../src/sim/types.js";

const NAME = "SEP001E4A000001";

async function office(cms: number, options: Partial<SimPhoneOptions> = {}, devices = [NAME]) {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock);
    const managers: SimCallManager[] = [];
    for (let i = 0; i < cms; i++) {
        const cm = new SimCallManager({
            clock,
            network: net,
            host: `10.0.0.${10 + i}`,
            port: 2000,
            devices: devices.map((d) => ({ deviceName: d, lines: ["1001", "1002"] })),
        });
        cm.startSync();
        managers.push(cm);
    }
    const info = phoneModel("7960");
    if (info === undefined) throw new Error("no model");
    const events = new EventEmitter<SimPhoneEvents>();
    const opts: SimPhoneOptions = {
        ip: "10.0.1.1",
        callManagers: managers.map((m) => m.address),
        ...options,
    };
    const s = createState(
        { deviceName: NAME, mac: "001E4A000001", ip: opts.ip, info, clock, network: net },
        opts,
        info.generation,
        events,
    );
    const seen: string[] = [];
    events.on("registered", () => seen.push("registered"));
    events.on("unregistered", (why) => seen.push(`unregistered: ${why}`));
    const start = async (st: PhoneState) => {
        st.running = true;
        connectPrimary(st, 0);
        await net.settle();
    };
    return { clock, net, managers, s, seen, start };
}

t.test("registration learns lines, forwarding, softkeys and time, then keeps alive", async (t) => {
    const { s, seen, start, managers, clock, net } = await office(1);
    await start(s);
    t.same(seen, ["registered"]);
    t.ok(s.registered);
    t.same(s.lines, ["1001", "1002"]);
    t.equal(s.forward.size, 2);
    t.ok(s.template.length > 20);
    t.ok(s.sets.length > 10);
    t.not(s.time, null);
    t.equal(s.regSteps.length, 0);
    t.same(managers[0]?.registeredDevices(), [NAME]);
    const before = s.stats.keepAlives;
    clock.advance(s.keepAliveMs);
    await net.settle();
    t.equal(s.stats.keepAlives, before + 1);
    t.equal(s.primary?.missed, 0, "the keepalive was answered");
});

t.test("a second CallManager gets a standby link; losing the primary fails over to it", async (t) => {
    const { s, seen, start, managers, net } = await office(2);
    await start(s);
    t.ok(s.standby !== null, "standby link open");
    await managers[0]?.stop();
    await net.settle();
    t.equal(s.stats.failovers, 1);
    t.ok(s.registered);
    t.same(managers[1]?.registeredDevices(), [NAME]);
    t.match(seen, ["registered", /^unregistered: CallManager link closed/, "registered"]);
});

t.test("with no CallManager left the phone retries after the reconnect delay", async (t) => {
    const { s, start, managers, net, clock } = await office(1, { reconnectMs: 1000 });
    await start(s);
    await managers[0]?.stop();
    await net.settle();
    t.notOk(s.registered);
    t.not(s.reconnectTimer, null);
    managers[0]?.startSync();
    clock.advance(1000);
    await net.settle();
    t.ok(s.registered, "registered again");
});

t.test("a rejected registration fails the start and stops the phone", async (t) => {
    const { s, start } = await office(1, {}, ["SEP000000000000"]);
    const failed = new Promise<Error>((resolve) => s.startWaiters.push({ resolve: () => {}, reject: resolve }));
    await start(s);
    t.match(await failed, { code: "SIM_REGISTER_REJECTED" });
    t.notOk(s.running);
});

t.test("halting and closing the links leaves the phone down and unregistered", async (t) => {
    const { s, seen, start, net, managers } = await office(1);
    await start(s);
    s.pendingDigits = "12";
    halt(s);
    t.equal(s.pendingDigits, "");
    closeLinks(s, true);
    setUnregistered(s, "test");
    await net.settle();
    t.equal(s.primary, null);
    t.same(seen, ["registered", "unregistered: test"]);
    t.same(managers[0]?.registeredDevices(), []);
});
