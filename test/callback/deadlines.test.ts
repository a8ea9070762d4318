/** Time in the engine, room by room: each request's deadline, relevance of inputs, deadlines reached, settling. */
import t from "tap";
import { computeDeadline, relevant, requestDeadline, runDue, settle } from "../../src/callback/deadlines.js";
import { DEFAULT_ENGINE_OPTIONS, resolveOptions } from "../../src/callback/options.js";
import { StateIndex } from "../../src/callback/tx.js";
import { ended, Harness, notifies, types } from "./helpers.js";

const o = resolveOptions({ ...DEFAULT_ENGINE_OPTIONS, guardTimeMs: 3000 });

t.test("a request's own deadline follows its phase", async (t) => {
    const h = new Harness();
    const pending = h.pending();
    t.equal(
        requestDeadline(o, pending, undefined),
        pending.createdAt + o.persistTimeoutMs,
        "pending: the store's time",
    );
    const waiting = { ...pending, phase: "waiting" as const, activeSince: h.now };
    const busy = { dn: "1002", state: "busy" as const, since: h.now, firstNotifiedAt: null };
    t.equal(requestDeadline(o, waiting, busy), waiting.expiresAt, "callee busy: the expiry");
    t.equal(requestDeadline(o, waiting, { ...busy, state: "idle" }), h.now + 3000, "callee idle: the guard time");
    t.equal(requestDeadline(o, { ...waiting, suspended: true }, { ...busy, state: "idle" }), waiting.expiresAt);
    const gone = { ...waiting, callerUnregisteredAt: h.now };
    t.equal(requestDeadline(o, gone, busy), h.now + o.callerUnregisteredGraceS * 1000, "the grace, when earlier");
    const notified = {
        ...waiting,
        phase: "notified" as const,
        notifiedAt: h.now,
        delivery: { attempts: 1, inFlight: false, retryAt: h.now + 10, lastCode: null },
    };
    t.equal(requestDeadline(o, notified, busy), h.now + 10, "a retry");
    t.equal(requestDeadline(o, { ...notified, delivery: null }, busy), h.now + o.recallWindowMs, "the recall window");
});

t.test("computeDeadline agrees with the engine, and past deadlines do not count", async (t) => {
    const h = new Harness({ guardTimeMs: 3000 });
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    const ix = StateIndex.build(h.state);
    t.equal(computeDeadline(o, h.state, ix), h.now + 3000);
    t.equal(computeDeadline(o, h.state, ix), h.engine.nextDeadline(h.state));
    t.equal(computeDeadline(o, { ...h.state, now: h.now + 3000 }, ix), null, "a past one does not make the shell tick");
});

t.test("relevant: only what can change a request", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const ix = StateIndex.build(h.state);
    ix.deadline = null;
    t.equal(relevant(ix, { type: "Tick" }, h.now), false);
    t.equal(relevant(ix, h.view.register("SEPB", false, h.now), h.now), false, "not a caller");
    t.equal(relevant(ix, h.view.register("SEPA", false, h.now), h.now), true, "a caller");
    t.equal(relevant(ix, h.view.lineState("1003", "busy", h.now), h.now), false, "nobody waits for 1003");
    t.equal(relevant(ix, h.view.lineState("1002", "idle", h.now), h.now), true);
    t.equal(relevant(ix, { type: "PersistDone", upTo: 1 }, h.now), true);
    ix.deadline = h.now;
    t.equal(relevant(ix, { type: "Tick" }, h.now), true, "a deadline is due");
});

t.test("runDue ends what has run out; settle resumes a ready caller and serves", async (t) => {
    const h = new Harness({ guardTimeMs: 3000 });
    h.activate("SEPA", "1001", "1002");
    const r = h.requests()[0]!;
    const late = h.tx(r.expiresAt - h.now);
    runDue(o, late, late.all(), late.offers());
    t.same(
        ended(late.effects).map((e) => e.reason),
        ["expired"],
    );

    const tx = h.tx(5000);
    tx.put({ ...r, suspended: true });
    tx.setWatch({ dn: "1002", state: "idle", since: h.now, firstNotifiedAt: null });
    settle(o, tx, false);
    t.same(types(tx.effects), ["RequestChanged", "RequestChanged", "Notify"], "resumed, notified");
    t.equal(notifies(tx.effects)[0]?.ref, r.id);
});
