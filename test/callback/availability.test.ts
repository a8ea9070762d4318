import t from "tap";
import { ENGINE_ALARMS } from "../../src/callback/engine.js";
import { ended, Harness, notifies, screens, types } from "./helpers.js";

t.test("guard time: a brief on-hook is not availability; the guard restarts on every idle", async (t) => {
    const h = new Harness({ guardTimeMs: 3000 });
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(2000);
    h.line("1002", "busy"); // B picks up again (e.g. a second call)
    t.same(notifies(h.advance(60_000)), []);
    h.line("1002", "idle");
    h.advance(1000);
    h.line("1002", "unknown"); // a capture gap: not known to be idle
    t.same(notifies(h.advance(60_000)), []);
    h.line("1002", "idle");
    t.same(notifies(h.advance(2999)), []);
    t.equal(notifies(h.advance(1)).length, 1);
});

t.test("guard time 0: notified on the on-hook itself", async (t) => {
    const h = new Harness({ guardTimeMs: 0 });
    h.activate("SEPA", "1001", "1002");
    t.equal(notifies(h.line("1002", "idle")).length, 1);
});

t.test("ringing is not idle; a shared line is available only when every device is idle", async (t) => {
    const h = new Harness();
    h.view.addPhone("SEPB2", { dn: "1002" });
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "ringing");
    t.same(notifies(h.advance(10_000)), []);
    h.line("1002", "idle");
    t.equal(notifies(h.advance(3000)).length, 1);
});

t.test("callee already idle when the request is made: guard counted from the activation", async (t) => {
    const h = new Harness();
    h.line("1001", "busy");
    h.line("1002", "busy");
    h.line("1002", "idle");
    h.now += 10_000;
    h.press("SEPA", "1002", "busy");
    h.line("1001", "idle");
    t.same(notifies(h.advance(2999)), []);
    t.equal(notifies(h.advance(1)).length, 1);
});

t.test("no-answer: the callee must be used and hung up (off-hook/on-hook cycle) before the notification", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002", "ringback");
    const r = h.requests()[0];
    t.equal(r?.trigger, "no-answer");
    t.equal(r?.heard, "ringback");
    t.equal(r?.calleeInUseSeen, false);
    t.same(notifies(h.advance(3_600_000)), [], "idle all along: B is not back");
    h.line("1002", "busy");
    t.equal(h.requests()[0]?.calleeInUseSeen, true);
    h.line("1002", "idle");
    t.equal(notifies(h.advance(3000)).length, 1);
});

t.test("no-answer after reorder (no-answer timer expired) is a no-answer request too", async (t) => {
    const h = new Harness();
    h.line("1001", "busy");
    h.press("SEPA", "1002", "reorder");
    t.equal(h.requests()[0]?.trigger, "no-answer");
});

t.test("a press without a known tone takes the trigger from the callee's state", async (t) => {
    const h = new Harness();
    h.line("1002", "busy");
    h.press("SEPA", "1002", null);
    t.equal(h.requests()[0]?.trigger, "busy");
    const g = new Harness();
    g.line("1002", "ringing");
    g.press("SEPA", "1002", null);
    t.equal(g.requests()[0]?.trigger, "no-answer");
});

t.test("no-answer with noAnswerRequiresUse=false: idle for the guard time after the request is enough", async (t) => {
    const h = new Harness({ noAnswerRequiresUse: false });
    h.activate("SEPA", "1001", "1002", "ringback");
    t.equal(notifies(h.advance(3000)).length, 1);
});

t.test("caller busy when the callee frees up: suspended, the next is served, resumed when idle", async (t) => {
    const h = new Harness({ protectionWindowMs: 10_000 });
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.line("1001", "busy"); // A is on another call
    h.line("1002", "idle");
    const fx = h.advance(3000);
    t.same(
        fx.filter((e) => e.type === "RequestChanged").map((e) => e.type === "RequestChanged" && [e.id, e.change]),
        [
            ["cb-1", "suspended"],
            ["cb-2", "notified"],
        ],
    );
    t.same(
        notifies(fx).map((n) => n.device),
        ["SEPC"],
        "C served instead",
    );
    t.equal(h.requests()[0]?.suspended, true);
    const resumed = h.line("1001", "idle");
    t.same(
        resumed.filter((e) => e.type === "RequestChanged").map((e) => e.type === "RequestChanged" && e.change),
        ["resumed"],
    );
    t.same(notifies(resumed), [], "C has the protection window");
    t.same(
        notifies(h.advance(10_000)).map((n) => n.device),
        ["SEPA"],
    );
});

t.test("caller busy, callee taken again meanwhile: resumed, then notified on the next availability", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1001", "busy");
    h.line("1002", "idle");
    h.advance(3000);
    t.equal(h.requests()[0]?.suspended, true);
    h.line("1002", "busy");
    h.line("1001", "idle");
    t.equal(h.requests()[0]?.suspended, false);
    t.same(notifies(h.advance(60_000)), []);
    h.line("1002", "idle");
    t.equal(notifies(h.advance(3000)).length, 1);
});

t.test("the caller reaches the callee by itself before the notification: the request ends", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.line("1001", "busy");
    h.view.setCalls("SEPA", [{ dn: "1002", connected: true }]);
    const fx = h.line("1002", "busy");
    t.same(
        ended(fx).map((e) => e.reason),
        ["connected"],
    );
});

t.test("dialling another number after the notification does not end it; the recall window does", async (t) => {
    const h = new Harness({ recallWindowMs: 60_000 });
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    h.view.setCalls("SEPA", [{ dn: "1004", connected: false }]);
    t.same(ended(h.line("1001", "busy")), []);
    h.view.setCalls("SEPA", []);
    h.line("1001", "idle");
    t.same(ended(h.advance(59_999)), []);
    const fx = h.advance(1);
    t.same(
        ended(fx).map((e) => e.reason),
        ["recall-timeout"],
    );
});

t.test("notified, then CallBack on the same number again: a new request at the end of the queue", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    h.line("1002", "busy"); // someone else got B first
    const fx = h.press("SEPA", "1002");
    t.same(
        ended(fx).map((e) => [e.id, e.reason]),
        [["cb-1", "replaced"]],
    );
    t.same(
        h.requests().map((r) => [r.id, r.phase]),
        [["cb-2", "waiting"]],
    );
});

t.test("expiry per trigger: busy 60 min, no answer 120 min (configurable)", async (t) => {
    const rows: [string, "busy" | "ringback", number][] = [
        ["busy", "busy", 60],
        ["no-answer", "ringback", 120],
    ];
    for (const [name, trigger, minutes] of rows) {
        const h = new Harness();
        h.activate("SEPA", "1001", "1002", trigger);
        t.equal(h.requests()[0]?.expiresAt, h.now + minutes * 60_000, name);
        t.same(ended(h.advance(minutes * 60_000 - 1)), [], `${name}: alive`);
        const fx = h.advance(1);
        t.same(
            ended(fx).map((e) => [e.reason, e.detail]),
            [["expired", trigger === "busy" ? "busy" : "no-answer"]],
            `${name}: expired`,
        );
        t.ok(fx.some((e) => e.type === "RevokeTickets" && e.ref === "cb-1"));
        t.ok(fx.some((e) => e.type === "Persist"));
    }
    const short = new Harness({ busyExpiryMin: 1 });
    short.activate("SEPA", "1001", "1002");
    t.equal(ended(short.advance(60_000)).length, 1);
});

t.test("caller unregistered: suspended meanwhile, ended after the grace time; back in time keeps it", async (t) => {
    const h = new Harness({ callerUnregisteredGraceS: 120 });
    h.activate("SEPA", "1001", "1002");
    h.send(h.view.register("SEPA", false, h.now));
    t.equal(h.requests()[0]?.callerUnregisteredAt, h.now);
    h.line("1002", "idle");
    t.same(notifies(h.advance(3000)), [], "not notified while away");
    t.equal(h.requests()[0]?.suspended, true);
    h.advance(60_000);
    h.view.phone("SEPA").ip = "10.0.0.99";
    const back = h.send(h.view.register("SEPA", true, h.now));
    t.equal(h.requests()[0]?.callerUnregisteredAt, null);
    t.equal(h.requests()[0]?.caller.ip, "10.0.0.99", "new address learnt");
    const n = notifies(back);
    t.same(
        n.map((x) => x.ip),
        ["10.0.0.99"],
        "resumed and notified at its new address",
    );

    const g = new Harness({ callerUnregisteredGraceS: 120 });
    g.activate("SEPA", "1001", "1002");
    g.send(g.view.register("SEPA", false, g.now));
    t.same(ended(g.advance(119_999)), []);
    t.same(
        ended(g.advance(1)).map((e) => e.reason),
        ["caller-unregistered"],
    );

    const z = new Harness({ callerUnregisteredGraceS: 0 });
    z.activate("SEPA", "1001", "1002");
    t.same(
        ended(z.send(z.view.register("SEPA", false, z.now))).map((e) => e.reason),
        ["caller-unregistered"],
        "grace 0: at once",
    );
});

t.test("a callee device (un)registering does not touch the requests", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const before = h.state;
    t.same(h.send(h.view.register("SEPB", false, h.now)), []);
    t.equal(h.state, before, "the same state object: nothing to do");
});

t.test("callee turns on Call Forward All: every request on it ends", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.activate("SEPD", "1004", "1001");
    const fx = h.send(h.view.forward("1002", "5000", h.now));
    t.same(
        ended(fx).map((e) => [e.id, e.reason, e.detail]),
        [
            ["cb-1", "callee-forward-all", "5000"],
            ["cb-2", "callee-forward-all", "5000"],
        ],
    );
    t.same(
        h.requests().map((r) => r.id),
        ["cb-3"],
    );
    t.same(h.send(h.view.forward("1001", null, h.now)), [], "forwarding turned off: nothing");
    const ev = h.view.forward("1001", "5000", h.now);
    if (ev.type === "ForwardingChanged") ev.dn = null;
    t.same(
        ended(h.send(ev)).map((e) => e.id),
        ["cb-3"],
        "a change without a number is matched through the view",
    );
});

t.test("notification push: retried after a failure within the recall window, then given up", async (t) => {
    const h = new Harness({ notifyRetryMs: 10_000, notifyAttempts: 3, recallWindowMs: 300_000 });
    h.autoPush = { ok: false, code: "PUSH_UNREACHABLE" };
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    const first = h.advance(3000);
    t.same(
        notifies(first).map((n) => n.attempt),
        [1],
    );
    t.same(
        first.filter((e) => e.type === "Alarm").map((e) => e.type === "Alarm" && [e.id, e.action]),
        [[ENGINE_ALARMS.pushUnreachable, "raise"]],
    );
    t.equal(h.requests()[0]?.delivery?.retryAt, h.now + 10_000);
    t.same(notifies(h.advance(9_999)), []);
    t.same(
        notifies(h.advance(1)).map((n) => n.attempt),
        [2],
    );
    const last = h.advance(10_000);
    t.same(
        notifies(last).map((n) => n.attempt),
        [3],
    );
    t.same(
        ended(last).map((e) => [e.reason, e.detail]),
        [["notify-failed", "PUSH_UNREACHABLE"]],
    );
});

t.test("notification push: credentials refused raise phone.push-credentials, a success clears it", async (t) => {
    const h = new Harness({ notifyRetryMs: 10_000 });
    h.autoPush = null;
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    t.equal(h.requests()[0]?.delivery?.inFlight, true);
    const fx = h.send({ type: "PushResult", ref: "cb-1", notify: true, ok: false, code: "PUSH_AUTH_FAILED" });
    t.same(types(fx), ["Alarm"]);
    t.equal(fx[0]?.type === "Alarm" && fx[0].id, ENGINE_ALARMS.pushCredentials);
    t.same(
        h.send({ type: "PushResult", ref: "cb-1", notify: true, ok: false, code: "PUSH_AUTH_BACKOFF" }),
        [],
        "a result for a push not in flight is ignored, the alarm raised once",
    );
    h.advance(10_000);
    const ok = h.send({ type: "PushResult", ref: "cb-1", notify: true, ok: true, code: "PUSH_OK" });
    t.same(
        ok.map((e) => e.type === "Alarm" && [e.id, e.action]),
        [[ENGINE_ALARMS.pushCredentials, "clear"]],
    );
    t.same(h.requests()[0]?.delivery, { attempts: 2, inFlight: false, retryAt: null, lastCode: "PUSH_OK" });
    t.same(
        h.send({ type: "PushResult", ref: null, notify: false, ok: false, code: "PUSH_TOO_LARGE" }),
        [],
        "other codes: no alarm",
    );
    t.same(h.send({ type: "PushResult", ref: "cb-404", notify: true, ok: true, code: "PUSH_OK" }), []);
});

t.test("a retry that would fall after the recall window ends the request instead", async (t) => {
    const h = new Harness({ notifyRetryMs: 60_000, recallWindowMs: 30_000 });
    h.autoPush = { ok: false, code: "PUSH_TIMEOUT" };
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    t.same(
        ended(h.advance(3000)).map((e) => e.reason),
        ["notify-failed"],
    );
});

t.test("Restored: pending requests are active, pushes in flight are sent again, watches restart", async (t) => {
    const h = new Harness();
    h.activate("SEPC", "1003", "1004");
    h.autoPush = null;
    h.line("1004", "idle");
    h.advance(3000);
    // an offer, a push in flight and a pending request at the time of the snapshot
    h.line("1001", "busy");
    h.press("SEPC", "1001");
    h.line("1002", "busy");
    h.autoPersist = false;
    h.press("SEPA", "1002");
    const snapshot = JSON.parse(JSON.stringify(h.state));
    t.ok(snapshot.offers.length === 1);

    const r = new Harness();
    r.line("1001", "busy");
    r.line("1002", "busy");
    r.line("1004", "idle");
    r.now = h.now + 5000;
    r.state = snapshot;
    const fx = r.send({ type: "Restored" });
    t.same(
        fx.filter((e) => e.type === "RequestChanged").map((e) => e.type === "RequestChanged" && [e.id, e.change]),
        [["cb-3", "activated"]],
    );
    t.same(screens(fx), [], "no screen: the press's answer went with the restart");
    t.same(
        notifies(fx).map((n) => [n.ref, n.attempt]),
        [["cb-1", 2]],
        "the push in flight is sent again",
    );
    t.ok(fx.some((e) => e.type === "RevokeTickets" && e.ref === "of-2"));
    t.same(r.state.offers, []);
    t.equal(r.state.durable, snapshot.generation);
    t.same(
        r.state.callees.map((w) => [w.dn, w.state, w.since]),
        [
            ["1004", "idle", r.now],
            ["1002", "busy", r.now],
        ],
    );
});

t.test("Restored: a notification already delivered is not pushed again", async (t) => {
    const h = new Harness();
    h.autoPush = null;
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    h.send({ type: "PushResult", ref: "cb-1", notify: true, ok: true, code: "PUSH_OK" });
    const r = new Harness();
    r.now = h.now;
    const s = JSON.parse(JSON.stringify(h.state));
    s.requests[0].delivery.inFlight = true;
    r.state = s;
    t.same(notifies(r.send({ type: "Restored" })), []);
    t.equal(r.requests()[0]?.delivery?.inFlight, false);
});

t.test("Restored with a request replacing another: the replaced one ends", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    h.autoPersist = false;
    h.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "x" });
    const r = new Harness();
    r.now = h.now;
    r.state = JSON.parse(JSON.stringify(h.state));
    const fx = r.send({ type: "Restored" });
    t.same(
        ended(fx).map((e) => [e.id, e.reason]),
        [["cb-1", "replaced"]],
    );
});

t.test("line changes of unrelated numbers return the very same state (fast path)", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const before = h.state;
    h.view.addPhone("SEPX", { dn: "2000" });
    t.same(h.line("2000", "busy"), []);
    t.same(h.line("2000", "idle"), []);
    t.same(h.send({ type: "Tick" }), []);
    t.same(
        h.send({
            type: "CtiLinkChanged",
            t: 0,
            session: "s",
            from: null,
            to: "up",
            reason: null,
            statusFrom: "unknown",
            status: "up",
        }),
        [],
    );
    t.equal(h.state, before);
    t.equal(h.engine.nextDeadline(h.state), h.requests()[0]?.expiresAt);
});

t.test("time never goes back inside the engine", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    const at = h.now;
    h.now -= 60_000;
    h.send(h.view.lineState("1002", "busy", h.now));
    t.equal(h.state.now, at);
    t.equal(h.state.callees[0]?.since, at);
});

t.test("configure: live parameter changes apply from the next input", async (t) => {
    const h = new Harness();
    t.equal(h.engine.options.guardTimeMs, 3000);
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    t.equal(h.engine.nextDeadline(h.state), h.now + 3000);
    h.engine.configure({ guardTimeMs: 500 });
    t.equal(h.engine.nextDeadline(h.state), h.now + 500, "deadline cache dropped");
    t.equal(notifies(h.advance(500)).length, 1);
    t.equal(h.engine.options.busyExpiryMin, 60, "others unchanged");
});

t.test("a push that was never sent is not 'refused'; alarms name the phone (issue T item 11)", async (t) => {
    const h = new Harness({ notifyRetryMs: 10_000 });
    h.autoPush = null;
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    const fx = h.send({
        type: "PushResult",
        ref: "cb-1",
        notify: true,
        ok: false,
        code: "PUSH_NOT_CONFIGURED",
        device: "SEP00000000000A",
    });
    t.same(
        fx.map((e) => e.type === "Alarm" && [e.id, e.action, e.details]),
        [
            [
                ENGINE_ALARMS.pushNotConfigured,
                "raise",
                "nothing pushed to SEP00000000000A: phones.pushUser/pushPassword are not configured",
            ],
        ],
    );
    t.notMatch(JSON.stringify(fx), /refused/);
    h.advance(10_000);
    const refused = h.send({
        type: "PushResult",
        ref: "cb-1",
        notify: true,
        ok: false,
        code: "PUSH_AUTH_FAILED",
        device: "SEP00000000000A",
    });
    t.match(refused, [
        {
            type: "Alarm",
            id: ENGINE_ALARMS.pushCredentials,
            details: "push to SEP00000000000A refused: PUSH_AUTH_FAILED",
        },
    ]);
});
