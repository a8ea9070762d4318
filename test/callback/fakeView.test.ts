import t from "tap";
import { FakeClusterView } from "./fakeView.js";

t.test("the fake view answers like the cluster model would", async (t) => {
    const v = new FakeClusterView();
    v.now = 5000;
    const a = v.addPhone("SEPA", { dn: ["1001", "1101"], dateTemplate: null, idleOverride: null });
    const b = v.addPhone("SEPB", { dn: "1002", model: "Cisco IP Phone 7970" });
    const c = v.addPhone("SEPC");
    t.same(a.dns, ["1001", "1101"]);
    t.equal(b.supportsCallBackSoftkey, false);
    t.equal(a.supportsCallBackSoftkey, true);
    t.same(c.dns, []);
    t.same(v.device("SEPA")?.phoneTime, { epochMs: 5000, utcOffsetMinutes: 60, dateTemplate: "M/D/Y" });
    t.equal(v.device("SEPX"), null);
    t.same(v.dnState("7777"), { state: "unknown", sinceMs: null });
    t.equal(v.dnKnown("7777"), false);
    t.equal(v.forwardAll("7777"), null);
    t.same(v.outgoingCalls("SEPX"), []);
    t.same(v.devicesOfDn("1001"), ["SEPA"]);

    v.lineState("1101", "busy", 6000);
    t.equal(v.device("SEPA")?.idle, false, "busy on its second line");
    a.idleOverride = true;
    t.equal(v.device("SEPA")?.idle, true);
    t.same(v.lineState("1101", "busy", 7000), {
        type: "LineStateChanged",
        t: 7,
        dn: "1101",
        from: "busy",
        to: "busy",
        uncertain: false,
    });
    t.equal(v.dnState("1101").sinceMs, 6000, "no change, same since");

    const idle = v.press("SEPC", "1001", "busy", 8000);
    t.match(idle, { callerDn: null, callState: 6 });
    t.match(v.idlePress("SEPA", 8000), { line: null, callState: null, softKeySet: 0 });
    t.match(v.forward("1002", "2000", 9000), { device: "SEPB", to: { all: "2000" } });
    t.match(v.forward("5555", "2000", 9000), { device: "SEP000000000000" });
    t.match(v.register("SEPB", false, 10_000), { type: "DeviceUnregistered", reason: "unregister" });
    t.match(v.register("SEPB", true, 10_000), { type: "DeviceRegistered", ip: b.ip });
    t.throws(() => v.phone("SEPX"), /no phone SEPX/);
    v.failWith = new Error("down");
    t.throws(() => v.cmLinkObserved(), /down/);
});
