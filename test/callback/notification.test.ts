/** The called side and the notification, room by room: readiness rules, serving, delivery, presence. */
import t from "tap";
import {
    callerReady,
    callerRegistered,
    callerUnregistered,
    eligible,
    forwardingChanged,
    lineChanged,
    pushResult,
    readyAt,
    recallEnd,
    serve,
} from "../../src/callback/notification.js";
import { DEFAULT_ENGINE_OPTIONS, resolveOptions } from "../../src/callback/options.js";
import { ENGINE_ALARMS } from "../../src/callback/outcomes.js";
import { ended, Harness, notifies, types } from "./helpers.js";

const o = resolveOptions({ ...DEFAULT_ENGINE_OPTIONS, guardTimeMs: 3000, protectionWindowMs: 20000 });

t.test("the readiness rules", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002", "ringback");
    const r = h.requests()[0]!;
    t.equal(eligible(o, r), false, "no answer: waits for the callee's use");
    t.equal(eligible({ ...o, noAnswerRequiresUse: false }, r), true);
    t.equal(eligible(o, { ...r, calleeInUseSeen: true }), true);
    const w = { dn: "1002", state: "idle" as const, since: h.now - 10_000, firstNotifiedAt: null };
    t.equal(readyAt(o, w, r), (r.activeSince as number) + 3000, "from the activation at the earliest");
    t.equal(readyAt(o, { ...w, firstNotifiedAt: h.now }, r), h.now + 20000, "after the protection window");
    t.equal(recallEnd(o, { ...r, notifiedAt: 100 }), 100 + o.recallWindowMs);
    const dev = h.view.device("SEPA");
    t.equal(callerReady(r, dev), true);
    t.equal(callerReady({ ...r, callerUnregisteredAt: 1 }, dev), false, "in its grace time");
    t.equal(callerReady(r, null), false);
});

t.test("serve notifies the first ready requester and suspends a busy caller", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.view.phone("SEPA").idleOverride = false;
    const tx = h.tx(5000);
    tx.setWatch({ dn: "1002", state: "idle", since: h.now, firstNotifiedAt: null });
    serve(o, tx, "1002");
    t.same(types(tx.effects), ["RequestChanged", "RequestChanged", "Notify"]);
    t.match(tx.effects[0], { change: "suspended", id: "cb-1" });
    t.equal(notifies(tx.effects)[0]?.device, "SEPC");
    t.equal(tx.watch("1002")?.firstNotifiedAt, h.now + 5000);
});

t.test("push results: alarms, and a notification retried then given up", async (t) => {
    const h = new Harness({ notifyAttempts: 2 });
    h.autoPush = null;
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    const tx = h.tx();
    pushResult(o, tx, "cb-1", true, false, "PUSH_UNREACHABLE", "SEPA");
    t.same(types(tx.effects), ["Alarm"]);
    t.equal(tx.get("cb-1")?.delivery?.retryAt, h.now + o.notifyRetryMs);
    const last = h.tx();
    pushResult(o, last, "cb-1", true, false, "PUSH_AUTH_FAILED", undefined);
    t.match(last.effects[0], {
        id: ENGINE_ALARMS.pushCredentials,
        details: "push to a phone refused: PUSH_AUTH_FAILED",
    });
    t.same(
        ended(last.effects).map((e) => [e.reason, e.detail]),
        [],
        "attempt 1 of 2: a retry",
    );
    const tx2 = h.tx();
    tx2.put({ ...tx2.get("cb-1")!, delivery: { attempts: 2, inFlight: true, retryAt: null, lastCode: null } });
    pushResult({ ...o, notifyAttempts: 2 }, tx2, "cb-1", true, false, "PUSH_TIMEOUT", "SEPA");
    t.same(
        ended(tx2.effects).map((e) => [e.reason, e.detail]),
        [["notify-failed", "PUSH_TIMEOUT"]],
    );
    const ok = h.tx();
    pushResult(o, ok, null, false, false, "PUSH_NOT_CONFIGURED", "SEPA");
    t.match(ok.effects[0], { id: ENGINE_ALARMS.pushNotConfigured, action: "raise" });
});

t.test("the caller's registration, the callee's line and forwarding", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const tx = h.tx();
    callerUnregistered(tx, "SEPA");
    t.equal(tx.get("cb-1")?.callerUnregisteredAt, h.now);
    callerRegistered(tx, "SEPA", "10.0.9.9");
    t.match(tx.get("cb-1"), { callerUnregisteredAt: null, caller: { ip: "10.0.9.9" } });
    callerRegistered(tx, "SEPA", null);
    t.equal(tx.get("cb-1")?.caller.ip, "10.0.9.9", "no address: the one it had");

    const line = h.tx();
    h.view.setCalls("SEPA", [{ dn: "1002", connected: true }]);
    lineChanged(line, "1002", "busy");
    t.same(
        ended(line.effects).map((e) => e.reason),
        ["connected"],
        "the caller reached the number itself",
    );

    const fwd = h.tx();
    const to = { all: "5000", busy: null, noAnswer: null };
    forwardingChanged(fwd, {
        type: "ForwardingChanged",
        t: 0,
        device: "SEPB",
        name: null,
        line: 1,
        dn: "1002",
        from: null,
        to,
    });
    t.same(
        ended(fwd.effects).map((e) => [e.reason, e.detail]),
        [["callee-forward-all", "5000"]],
    );
});
