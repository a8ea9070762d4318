/** The CallManager's shared state: option defaults, one flush per step, timers as steps, call references. */
import { EventEmitter } from "node:events";
import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { createState, newRef, resolveOptions, run, timer } from "../../../src/sim/cm/state.js";
import type { SimCallManagerEvents } from "../../../src/sim/cm/types.js";
import type { SccpSession } from "../../../src/sim/session.js";

t.test("options get CallManager 4.1's defaults; the keepalive time-out follows the interval", async (t) => {
    const o = resolveOptions({});
    t.equal(o.keepAliveInterval, 30);
    t.equal(o.keepAliveTimeoutMs, 75_000);
    t.equal(o.noAnswerTimeoutMs, 12_000);
    t.equal(o.busySignal, "toneAndState");
    t.equal(o.callRefBase, 16777217);
    t.equal(resolveOptions({ keepAliveInterval: 10 }).keepAliveTimeoutMs, 25_000);
    t.equal(resolveOptions({ keepAliveInterval: 10, keepAliveTimeoutMs: 5 }).keepAliveTimeoutMs, 5);
});

t.test("a step flushes each session it dirtied once, at the end of the outermost step", async (t) => {
    const s = createState(new ManualClock(), {}, new EventEmitter<SimCallManagerEvents>());
    const flushed: string[] = [];
    const a = { flush: () => flushed.push("a") } as unknown as SccpSession;
    const b = { flush: () => flushed.push("b") } as unknown as SccpSession;
    run(s, () => {
        s.dirty.add(a);
        run(s, () => {
            s.dirty.add(b);
            s.dirty.add(a);
        });
        t.same(flushed, [], "nothing flushed inside the step");
    });
    t.same(flushed, ["a", "b"]);
    t.equal(s.dirty.size, 0);
    t.throws(() =>
        run(s, () => {
            s.dirty.add(a);
            throw new Error("boom");
        }),
    );
    t.same(flushed, ["a", "b", "a"], "a failing step still flushes");
    t.equal(s.depth, 0);
});

t.test("timers run as steps; call references count up from the base", async (t) => {
    const clock = new ManualClock();
    const s = createState(clock, { callRefBase: 100 }, new EventEmitter<SimCallManagerEvents>());
    let depth = -1;
    timer(s, 50, () => {
        depth = s.depth;
    });
    clock.advance(49);
    t.equal(depth, -1);
    clock.advance(1);
    t.equal(depth, 1);
    t.equal(newRef(s), 100);
    t.equal(newRef(s), 101);
});
