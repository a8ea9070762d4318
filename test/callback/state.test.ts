import t from "tap";
import { CallbackStateError, initialState, parseEngineState } from "../../src/callback/state.js";
import { Harness, notifies } from "./helpers.js";

/** A state with every kind of entry: requests in each phase (one replacing another), an offer, watches, alarms. */
function richState(): unknown {
    const h = new Harness();
    h.autoPush = null;
    h.activate("SEPA", "1001", "1002");
    h.line("1002", "idle");
    notifies(h.advance(3000));
    h.send({ type: "PushResult", ref: "cb-1", notify: true, ok: false, code: "PUSH_AUTH_FAILED" });
    h.activate("SEPC", "1003", "1004");
    h.press("SEPC", "1001");
    h.autoPersist = false;
    h.send({ type: "PhoneAction", ref: "of-3", action: "ok", reply: "x" });
    return JSON.parse(JSON.stringify(h.state));
}

t.test("parseEngineState accepts states the engine makes, and the empty state", async (t) => {
    t.same(parseEngineState(initialState()), initialState());
    const s = richState();
    t.equal(parseEngineState(s), s);
    const state = parseEngineState(s);
    t.ok(state.requests.some((r) => r.replaces !== null));
    t.ok(state.requests.some((r) => r.delivery !== null));
    t.equal(state.offers.length, 0);
    t.same(state.alarms, ["phone.push-credentials"]);
});

t.test("parseEngineState names the first bad path", async (t) => {
    // biome-ignore lint/suspicious/noExplicitAny: the cases corrupt arbitrary JSON
    type Json = Record<string, any>;
    type Mut = (s: Json) => void;
    const cases: [string, Mut, RegExp][] = [
        ["not an object", () => {}, /state: not an object/],
        ["version", (s) => (s.version = 2), /state\.version: unsupported version/],
        ["seq", (s) => (s.seq = "1"), /state\.seq: not a finite number/],
        ["requests", (s) => (s.requests = {}), /state\.requests: not an array/],
        ["phase", (s) => (s.requests[0].phase = "done"), /state\.requests\[0\]\.phase: unexpected value/],
        ["heard", (s) => (s.requests[0].heard = "x"), /heard: unexpected value/],
        ["caller", (s) => (s.requests[0].caller = null), /state\.requests\[0\]\.caller: not an object/],
        ["caller ip", (s) => (s.requests[0].caller.ip = 1), /caller\.ip: not a string/],
        ["suspended", (s) => (s.requests[0].suspended = 0), /suspended: not a boolean/],
        ["inUse", (s) => (s.requests[0].calleeInUseSeen = null), /calleeInUseSeen: not a boolean/],
        ["delivery", (s) => (s.requests[0].delivery.inFlight = "y"), /delivery\.inFlight: not a boolean/],
        ["phoneTime", (s) => (s.requests[0].notifyPhoneTime = { epochMs: null }), /epochMs: not a finite number/],
        ["duplicate", (s) => (s.requests[1].id = s.requests[0].id), /duplicate id/],
        ["nested", (s) => (s.requests[1].replaces.replaces = s.requests[0]), /nested too deep/],
        ["offer", (s) => s.offers.push({ id: 1 }), /state\.offers\[0\]\.id: not a string/],
        ["watch", (s) => (s.callees[0].state = "gone"), /state\.callees\[0\]\.state: unexpected value/],
        ["alarm", (s) => s.alarms.push(3), /state\.alarms\[1\]: not a string/],
        ["active", (s) => (s.requests[0].activeSince = null), /activeSince: missing on an active request/],
        ["notified", (s) => (s.requests[0].notifiedAt = null), /notifiedAt: missing on a notified request/],
    ];
    for (const [name, mutate, message] of cases) {
        const s = name === "not an object" ? null : (richState() as Json);
        if (s !== null) mutate(s);
        t.throws(() => parseEngineState(s), message, name);
    }
    try {
        parseEngineState([]);
    } catch (err) {
        t.ok(err instanceof CallbackStateError);
        t.equal((err as CallbackStateError).code, "CALLBACK_STATE_INVALID");
    }
});
