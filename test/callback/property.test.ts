import assert from "node:assert/strict";
import fc from "fast-check";
import t from "tap";
import { CallBackEngine } from "../../src/callback/engine.js";
import type { EngineOptions } from "../../src/callback/options.js";
import { initialState, parseEngineState } from "../../src/callback/state.js";
import type { EngineEffect, EngineInput, EngineState } from "../../src/callback/types.js";
import { FakeClusterView } from "./fakeView.js";
import { T0 } from "./helpers.js";
import "../helpers/seed.js";

const PHONES = 5;
const DNS = ["2000", "2001", "2002", "2003", "2004", "9999"];
const OPTIONS: Partial<EngineOptions> = {
    maxQueuePerCallee: 2,
    maxRequests: 4,
    protectionWindowMs: 5000,
    recallWindowMs: 60_000,
    busyExpiryMin: 3,
    noAnswerExpiryMin: 5,
    callerUnregisteredGraceS: 30,
    notifyRetryMs: 5000,
    persistTimeoutMs: 10_000,
    offerTtlMs: 20_000,
};

type Step =
    | { k: "line"; dn: number; to: "idle" | "busy" | "ringing" | "unknown" }
    | { k: "press"; dev: number; dn: number; trigger: "busy" | "ringback" | "reorder" | null }
    | { k: "idle"; dev: number }
    | { k: "advance"; ms: number }
    | { k: "reg"; dev: number; on: boolean }
    | { k: "fwd"; dn: number; on: boolean }
    | { k: "calls"; dev: number; dn: number; connected: boolean }
    | { k: "cancel"; pick: number; other: boolean }
    | { k: "ok"; pick: number }
    | { k: "admin"; pick: number }
    | { k: "dial"; pick: number }
    | { k: "persist"; ok: boolean }
    | { k: "push"; ok: boolean; code: "PUSH_OK" | "PUSH_AUTH_FAILED" | "PUSH_UNREACHABLE" }
    | { k: "cm"; on: boolean };

const dev = fc.integer({ min: 0, max: PHONES - 1 });
const dn = fc.integer({ min: 0, max: DNS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
    {
        weight: 6,
        arbitrary: fc.record({
            k: fc.constant("line" as const),
            dn,
            to: fc.constantFrom("idle", "idle", "idle", "idle", "busy", "busy", "ringing", "unknown") as fc.Arbitrary<
                "idle" | "busy" | "ringing" | "unknown"
            >,
        }),
    },
    {
        weight: 5,
        arbitrary: fc.record({
            k: fc.constant("press" as const),
            dev,
            dn,
            trigger: fc.constantFrom("busy", "ringback", "reorder", null) as fc.Arbitrary<
                "busy" | "ringback" | "reorder" | null
            >,
        }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("idle" as const), dev }) },
    {
        weight: 4,
        arbitrary: fc.record({
            k: fc.constant("advance" as const),
            ms: fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 200_000 })),
        }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("reg" as const), dev, on: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("fwd" as const), dn, on: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("calls" as const), dev, dn, connected: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("cancel" as const), pick: fc.nat(), other: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("ok" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("admin" as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("dial" as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant("persist" as const), ok: fc.boolean() }) },
    {
        weight: 2,
        arbitrary: fc.record({
            k: fc.constant("push" as const),
            ok: fc.boolean(),
            code: fc.constantFrom("PUSH_OK", "PUSH_AUTH_FAILED", "PUSH_UNREACHABLE") as fc.Arbitrary<
                "PUSH_OK" | "PUSH_AUTH_FAILED" | "PUSH_UNREACHABLE"
            >,
        }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("cm" as const), on: fc.boolean() }) },
);

/** Bounds and consistency that must hold after every input. */
function checkInvariants(engine: CallBackEngine, s: EngineState, maxActive: number): void {
    parseEngineState(s);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(s)), s, "plain JSON");
    const perCaller = new Map<string, number>();
    const perCallee = new Map<string, number>();
    for (const r of s.requests) {
        perCaller.set(r.caller.device, (perCaller.get(r.caller.device) ?? 0) + 1);
        perCallee.set(r.calledDn, (perCallee.get(r.calledDn) ?? 0) + 1);
    }
    for (const n of perCaller.values()) assert.ok(n <= maxActive, "one active request per caller");
    for (const n of perCallee.values()) assert.ok(n <= (OPTIONS.maxQueuePerCallee ?? 5), "queue cap");
    assert.ok(s.requests.length <= (OPTIONS.maxRequests ?? 0), "global cap");
    assert.ok(s.offers.length <= PHONES, "one offer per phone");
    assert.deepStrictEqual(
        s.callees.map((w) => w.dn).sort(),
        [...perCallee.keys()].sort(),
        "a watch per called number",
    );
    for (let i = 1; i < s.requests.length; i++) assert.ok(s.requests[i - 1]!.seq < s.requests[i]!.seq, "press order");
    const d = engine.nextDeadline(s);
    assert.ok(d === null || d > s.now, "deadlines are in the future");
    assert.equal(d, new CallBackEngine(engine.options).nextDeadline(s), "carried-over deadline = recomputed one");
}

/** Drives a fresh view and engine through the steps; `split` re-loads the state from JSON into a new engine there. */
function run(
    steps: readonly Step[],
    options: Partial<EngineOptions>,
    split = -1,
    healthyStore = true,
): { effects: EngineEffect[]; state: EngineState; inputs: EngineInput[] } {
    const view = new FakeClusterView();
    for (let i = 0; i < PHONES; i++) view.addPhone(`SEP${i}`, { dn: DNS[i], ip: `10.1.0.${i + 1}` });
    view.number("9999").known = false;
    let engine = new CallBackEngine(options);
    let state = initialState();
    let now = T0;
    const effects: EngineEffect[] = [];
    const inputs: EngineInput[] = [];
    const persists: number[] = [];
    const pendingAcks: number[] = [];
    const pushes: string[] = [];
    const send = (input: EngineInput): void => {
        view.now = now;
        const r = engine.handle(state, input, now, view);
        state = r.state;
        inputs.push(input);
        for (const e of r.effects) {
            effects.push({ ...e, at: inputs.length - 1 } as unknown as EngineEffect);
            if (e.type === "Persist" && healthyStore) pendingAcks.push(e.generation);
            else if (e.type === "Persist") persists.push(e.generation);
            if (e.type === "Notify") pushes.push(e.ref);
        }
        checkInvariants(engine, state, options.maxActivePerCaller ?? 1);
        // a healthy store acknowledges at once
        const g = pendingAcks.shift();
        if (g !== undefined) send({ type: "PersistDone", upTo: g });
    };
    steps.forEach((s, i) => {
        if (i === split) {
            state = parseEngineState(JSON.parse(JSON.stringify(state)));
            engine = new CallBackEngine(options);
        }
        switch (s.k) {
            case "line":
                send(view.lineState(DNS[s.dn]!, s.to, now));
                return;
            case "press": {
                // as on a phone: off hook, the callee busy or ringing, CallBack, back on hook
                const own = DNS[s.dev]!;
                const callee = DNS[s.dn]!;
                send(view.lineState(own, "busy", now));
                if (view.dnKnown(callee)) send(view.lineState(callee, s.trigger === "busy" ? "busy" : "ringing", now));
                send(view.press(`SEP${s.dev}`, callee, s.trigger, now));
                send(view.lineState(own, "idle", now));
                return;
            }
            case "idle":
                send(view.idlePress(`SEP${s.dev}`, now));
                return;
            case "advance": {
                const target = now + s.ms;
                for (let d = engine.nextDeadline(state); d !== null && d <= target; d = engine.nextDeadline(state)) {
                    now = d;
                    send({ type: "Tick" });
                }
                now = target;
                return;
            }
            case "reg":
                send(view.register(`SEP${s.dev}`, s.on, now));
                return;
            case "fwd":
                send(view.forward(DNS[s.dn]!, s.on ? "5555" : null, now));
                return;
            case "calls":
                // the unknown number stands for "no call"
                view.setCalls(
                    `SEP${s.dev}`,
                    s.dn === DNS.length - 1 ? [] : [{ dn: DNS[s.dn]!, connected: s.connected }],
                );
                return;
            case "cancel": {
                const r = state.requests[s.pick % Math.max(1, state.requests.length)];
                const device = s.other ? "SEP0" : r?.caller.device;
                send({ type: "PhoneAction", ref: r?.id ?? "cb-0", action: "cancel", device, reply: `c${i}` });
                return;
            }
            case "ok": {
                const o = state.offers[s.pick % Math.max(1, state.offers.length)];
                send({ type: "PhoneAction", ref: o?.id ?? "of-0", action: "ok", reply: `o${i}` });
                return;
            }
            case "admin": {
                const r = state.requests[s.pick % Math.max(1, state.requests.length)];
                send({ type: "AdminCancel", id: r?.id ?? "cb-0", reason: "test", reply: `a${i}` });
                return;
            }
            case "dial": {
                // a notified caller presses Dial: off hook calling the number, which rings
                const notified = state.requests.filter((r) => r.phase === "notified");
                const r = notified[s.pick % Math.max(1, notified.length)];
                if (r === undefined) return;
                view.setCalls(r.caller.device, [{ dn: r.calledDn, connected: false }]);
                if (r.caller.dn !== null) send(view.lineState(r.caller.dn, "busy", now));
                send(view.lineState(r.calledDn, "ringing", now));
                return;
            }
            case "persist": {
                const g = persists.shift();
                if (g === undefined) return;
                send(s.ok ? { type: "PersistDone", upTo: g } : { type: "PersistFailed", upTo: g });
                return;
            }
            case "push": {
                const ref = pushes.shift();
                if (ref === undefined) return;
                send({ type: "PushResult", ref, notify: true, ok: s.ok, code: s.ok ? "PUSH_OK" : s.code });
                return;
            }
            case "cm":
                view.cmLink = s.on;
                return;
        }
    });
    return { effects, state, inputs };
}

const steps = fc.array(step, { minLength: 20, maxLength: 100, size: "max" });

t.test("determinism: the same inputs give the same effects and state", async (t) => {
    fc.assert(
        fc.property(steps, fc.constantFrom(1, 2), fc.boolean(), (s, maxActivePerCaller, healthy) => {
            const options = { ...OPTIONS, maxActivePerCaller };
            const a = run(s, options, -1, healthy);
            const b = run(s, options, -1, healthy);
            assert.deepStrictEqual(b, a);
        }),
        { numRuns: 150, seed: 20260101 },
    );
    t.pass("150 random input sequences");
});

t.test("snapshot: a JSON round trip of the state mid-sequence (new engine) continues identically", async (t) => {
    fc.assert(
        fc.property(steps, fc.nat(), fc.constantFrom(1, 2), fc.boolean(), (s, at, maxActivePerCaller, healthy) => {
            const options = { ...OPTIONS, maxActivePerCaller };
            const whole = run(s, options, -1, healthy);
            const split = run(s, options, at % s.length, healthy);
            assert.deepStrictEqual(split, whole);
        }),
        { numRuns: 150, seed: 7 },
    );
    t.pass("150 random split points");
});

t.test("activated only after the ack covering the request; every phone action answered once", async (t) => {
    const seen = new Map<string, number>();
    fc.assert(
        fc.property(steps, fc.boolean(), (s, healthy) => {
            const { effects, inputs, state } = run(s, OPTIONS, -1, healthy);
            for (const e of effects) {
                const k =
                    e.type === "ShowScreen"
                        ? e.kind
                        : e.type === "RequestChanged"
                          ? e.change
                          : e.type === "RequestEnded"
                            ? e.reason
                            : e.type;
                seen.set(k, (seen.get(k) ?? 0) + 1);
                seen.set(e.type, (seen.get(e.type) ?? 0) + 1);
            }
            const at = (e: EngineEffect): number => (e as EngineEffect & { at: number }).at;
            for (const e of effects) {
                if (e.type !== "RequestChanged" || e.change !== "activated") continue;
                let acked = 0;
                for (const input of inputs.slice(0, at(e) + 1)) {
                    if (input.type === "PersistDone") acked = Math.max(acked, input.upTo);
                }
                assert.ok(acked >= e.request.generation, "durable before activated");
            }
            const answers = new Map<string, number>();
            for (const e of effects) {
                if (e.type === "ShowScreen" && e.reply !== undefined)
                    answers.set(e.reply, (answers.get(e.reply) ?? 0) + 1);
            }
            for (const input of inputs) {
                if (input.type !== "PhoneAction" || input.reply === undefined) continue;
                const n = answers.get(input.reply) ?? 0;
                assert.ok(n <= 1, "answered at most once");
                if (n === 0)
                    assert.ok(
                        state.requests.some((r) => r.reply === input.reply),
                        "unanswered only while pending",
                    );
            }
        }),
        { numRuns: 150, seed: 99 },
    );
    for (const type of [
        "notify-failed",
        "caller-unregistered",
        "notified",
        "suspended",
        "resumed",
        "completed",
        "connected",
        "expired",
        "recall-timeout",
        "Notify",
        "RequestEnded",
        "Persist",
        "RevokeTickets",
        "Alarm",
        "AdminResult",
    ]) {
        t.ok((seen.get(type) ?? 0) > 0, `the random inputs reach ${type}`);
    }
    t.ok((seen.get("ShowScreen") ?? 0) > 100);
});

t.test("bounded: many phones pressing on few numbers never exceed the caps", async (t) => {
    const view = new FakeClusterView();
    const engine = new CallBackEngine({ maxQueuePerCallee: 5, maxRequests: 50 });
    for (let i = 0; i < 200; i++) view.addPhone(`SEP${i}`, { dn: String(3000 + i) });
    let state = initialState();
    let now = T0;
    for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 200; i++) {
            now += 10;
            const callee = String(3000 + ((i * 7 + round) % 20));
            const ev = view.lineState(callee, "busy", now);
            state = engine.handle(state, ev, now, view).state;
            const r = engine.handle(state, view.press(`SEP${i}`, callee, "busy", now), now, view);
            state = r.state;
            for (const e of r.effects) {
                if (e.type === "Persist")
                    state = engine.handle(state, { type: "PersistDone", upTo: e.generation }, now, view).state;
            }
        }
    }
    t.ok(state.requests.length <= 50);
    const perCallee = new Map<string, number>();
    for (const r of state.requests) perCallee.set(r.calledDn, (perCallee.get(r.calledDn) ?? 0) + 1);
    t.ok([...perCallee.values()].every((n) => n <= 5));
    t.ok(state.offers.length <= 200);
    t.ok(state.alarms.includes("callback.capacity"));
});
