import t from "tap";
import { DEFAULT_SIM_START, ManualClock, RealClock } from "../../src/sim/clock.js";

t.test("manual clock fires timers in due then creation order, each at its own time", async (t) => {
    const c = new ManualClock();
    t.equal(c.now(), DEFAULT_SIM_START);
    const log: string[] = [];
    c.setTimer(30, () => log.push(`c@${c.now() - DEFAULT_SIM_START}`));
    c.setTimer(10, () => {
        log.push(`a@${c.now() - DEFAULT_SIM_START}`);
        c.setTimer(5, () => log.push(`nested@${c.now() - DEFAULT_SIM_START}`));
    });
    c.setTimer(10, () => log.push("b"));
    const gone = c.setTimer(20, () => log.push("cancelled"));
    c.setTimer(-5, () => log.push("now"));
    t.equal(c.pending, 5);
    c.clearTimer(gone);
    c.clearTimer(gone);
    c.clearTimer(null);
    c.clearTimer(undefined);
    t.equal(c.pending, 4);
    t.equal(c.nextDue(), DEFAULT_SIM_START);
    t.equal(c.advance(25), 4);
    t.same(log, ["now", "a@10", "b", "nested@15"]);
    t.equal(c.now(), DEFAULT_SIM_START + 25);
    t.equal(c.runUntil(0), 0, "never moves backwards");
    t.equal(c.now(), DEFAULT_SIM_START + 25);
    t.equal(c.runUntil(DEFAULT_SIM_START + 100), 1);
    t.same(log.at(-1), "c@30");
    t.equal(c.nextDue(), undefined);
    t.equal(c.fired, 5);
});

t.test("manual clock keeps order across many timers (heap)", async (t) => {
    const c = new ManualClock(0);
    const seen: number[] = [];
    const due = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    const handles = due.map((d) => c.setTimer(d, () => seen.push(d)));
    for (let i = 0; i < handles.length; i += 3) c.clearTimer(handles[i]);
    c.advance(1000);
    const expected = due.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b);
    t.same(seen, expected);
});

t.test("real clock: accelerated time and timers", async (t) => {
    const c = new RealClock({ speed: 100, startMs: 1000 });
    t.ok(c.now() >= 1000);
    const fired = await new Promise<number>((resolve) => c.setTimer(500, () => resolve(c.now())));
    t.ok(fired - 1000 >= 450, "500 ms of clock time passed");
    let ran = false;
    const h = c.setTimer(1000, () => {
        ran = true;
    });
    c.clearTimer(h);
    c.clearTimer(h);
    await new Promise((r) => setTimeout(r, 20));
    t.notOk(ran);
    t.equal(new RealClock().speed, 1);
});
