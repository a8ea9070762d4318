import t from "tap";
import { ENGINE_ALARMS } from "../../src/callback/engine.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { ended, Harness, notifies, screens, types } from "./helpers.js";

t.test("addresses: learnt from the view when the event has none, refreshed at notification and retry", async (t) => {
    const h = new Harness({ notifyRetryMs: 5000 });
    h.line("1001", "busy");
    h.line("1002", "busy");
    const press = h.view.press("SEPA", "1002", "busy", h.now);
    if (press.type === "CallBackPressed") {
        press.ip = null;
        press.name = null;
    }
    h.send(press);
    t.same(h.requests()[0]?.caller, {
        device: "SEPA",
        name: "SEPA",
        ip: "10.0.0.1",
        line: 1,
        dn: "1001",
        model: "Cisco IP Phone 7960",
    });
    h.line("1001", "idle");
    h.view.phone("SEPA").ip = "10.0.0.50";
    h.autoPush = { ok: false, code: "PUSH_UNREACHABLE" };
    h.line("1002", "idle");
    t.same(
        notifies(h.advance(3000)).map((n) => n.ip),
        ["10.0.0.50"],
        "notified at the address the view knows now",
    );
    h.view.phone("SEPA").ip = "10.0.0.51";
    t.same(
        notifies(h.advance(5000)).map((n) => [n.ip, n.attempt]),
        [["10.0.0.51", 2]],
    );
    h.view.phone("SEPA").ip = null;
    t.same(
        notifies(h.advance(5000)).map((n) => [n.ip, n.attempt]),
        [["10.0.0.51", 3]],
        "an unknown address keeps the last one",
    );
});

t.test("a phone without a known address or clock is still notified (box clock, no offset)", async (t) => {
    const h = new Harness();
    h.view.addPhone("SEPN", { dn: "1009", ip: null, utcOffsetMinutes: null });
    h.activate("SEPN", "1009", "1002");
    const idle = h.view.idlePress("SEPN", h.now);
    if (idle.type === "CallBackPressed") idle.ip = null;
    t.same(
        screens(h.send(idle)).map((s) => [s.kind, s.ip]),
        [["activated", null]],
    );
    h.line("1002", "idle");
    const n = notifies(h.advance(3000))[0];
    t.same(n?.phoneTime, { epochMs: h.now });
    t.equal(n?.ip, null);
    const reg = h.view.register("SEPN", true, h.now);
    if (reg.type === "DeviceRegistered") reg.ip = null;
    t.same(h.send(reg), [], "a registration without news changes nothing");
});

t.test("a callee whose state has no known start time: the guard counts from the request", async (t) => {
    const h = new Harness();
    h.view.number("1002").sinceMs = null;
    h.line("1001", "busy");
    h.press("SEPA", "1002", "busy");
    t.equal(h.state.callees[0]?.since, h.now);
});

t.test("forwarding turned off while a deadline is due: nothing ends", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.now += 3000;
    const fx = h.send(h.view.forward("1002", null, h.now));
    t.same(ended(fx), []);
    t.equal(notifies(fx).length, 1, "the due notification still goes out");
});

t.test("SoftKeyPressed and CallManager link changes are not the engine's business", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const before = h.state;
    const ev: ClusterEvent = {
        type: "SoftKeyPressed",
        t: 0,
        device: "SEPA",
        name: null,
        line: 1,
        callRef: 1,
        event: 1,
        label: "Redial",
        labelCode: null,
        source: "softkey",
        callState: null,
    };
    t.same(h.send(ev), []);
    t.equal(h.state, before);
});

t.test("offers are bounded by maxRequests: the oldest gives way", async (t) => {
    const h = new Harness({ maxRequests: 1 });
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    t.same(
        h.state.offers.map((o) => o.id),
        ["of-2"],
    );
    h.send({ type: "AdminCancel", id: "cb-1" });
    h.activate("SEPC", "1003", "1004");
    const fx = h.press("SEPC", "1002");
    t.ok(fx.some((e) => e.type === "RevokeTickets" && e.ref === "of-2"));
    t.same(
        h.state.offers.map((o) => o.caller.device),
        ["SEPC"],
    );
});

t.test("OK on an old offer after the caller activated elsewhere", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003"); // of-2 replaces cb-1 by 1003
    h.send({ type: "PhoneAction", ref: "cb-1", action: "cancel" });
    h.activate("SEPA", "1001", "1003"); // cb-3 on 1003 directly
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-2", action: "ok" })).map((s) => [s.kind, s.ref, s.reply]),
        [["activated", "cb-3", undefined]],
        "already active on that very number",
    );

    const g = new Harness();
    g.activate("SEPA", "1001", "1002");
    g.line("1003", "busy");
    g.press("SEPA", "1003"); // of-2
    g.send({ type: "PhoneAction", ref: "cb-1", action: "cancel" });
    g.activate("SEPA", "1001", "1004"); // cb-3 on 1004
    const fx = g.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "k" });
    t.same(
        screens(fx).map((s) => [s.kind, s.params, s.reply]),
        [["alreadyActive", { dn: "1004", dn2: "1003" }, "k"]],
        "offered again against the request now active",
    );
});

t.test("OK when the target's queue filled up meanwhile: cannot be invoked, the old request stays", async (t) => {
    const h = new Harness({ maxQueuePerCallee: 1 });
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    h.activate("SEPD", "1004", "1003");
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "k" })).map((s) => [s.kind, s.reply]),
        [["cannotInvoke", "k"]],
    );
    t.same(
        h.requests().map((r) => r.id),
        ["cb-1", "cb-3"],
    );
});

t.test("OK from a phone the view no longer knows uses what the offer remembered", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    h.view.phones.delete("SEPA");
    h.send({ type: "PhoneAction", ref: "of-2", action: "ok" });
    t.same(
        h.requests().map((r) => [r.calledDn, r.caller.ip, r.caller.model]),
        [["1003", "10.0.0.1", "Cisco IP Phone 7960"]],
    );
});

t.test("phone actions without device or reply", async (t) => {
    const h = new Harness();
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "cb-9", action: "cancel" })).map((s) => [s.kind, s.device, s.ip]),
        [["notActive", "", null]],
    );
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-9", action: "ok" })).map((s) => [s.kind, s.device]),
        [["requestInvalid", ""]],
    );
    h.activate("SEPA", "1001", "1002");
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "cb-1", action: "cancel" })).map((s) => [s.kind, s.reply]),
        [["cancelled", undefined]],
    );
});

t.test("a pending request ended before it is durable answers the waiting phone action", async (t) => {
    const h = new Harness({ callerUnregisteredGraceS: 0 });
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    h.autoPersist = false;
    h.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "w" });
    const fx = h.send(h.view.register("SEPA", false, h.now));
    t.same(
        screens(fx).map((s) => [s.kind, s.reply]),
        [["cancelled", "w"]],
    );
    t.same(
        ended(fx).map((e) => [e.id, e.reason]),
        [
            ["cb-1", "replaced"],
            ["cb-3", "caller-unregistered"],
        ],
    );
});

t.test("a fault with a non-Error and a phone action without device", async (t) => {
    const h = new Harness();
    h.view.failWith = "string failure";
    const fx = h.send({ type: "PhoneAction", ref: "of-1", action: "ok", reply: "r" });
    t.same(types(fx), ["Alarm", "ShowScreen:serviceFailure"]);
    t.match(fx[0], { id: ENGINE_ALARMS.failure, details: "PhoneAction: string failure" });
    t.match(fx[1], { device: "", ip: null, reply: "r" });
});
