/** runStep: the outermost step flushes every session written to once, then runs its end hook. */
import t from "tap";
import { runStep, type SccpSession, type StepState } from "../../src/sim/session.js";

t.test("nested steps flush once, at the end of the outermost, then the end hook runs", async (t) => {
    const log: string[] = [];
    const session = { flush: () => log.push("flush") } as unknown as SccpSession;
    const s: StepState = { depth: 0, dirty: new Set() };
    runStep(
        s,
        () => {
            s.dirty.add(session);
            runStep(
                s,
                () => s.dirty.add(session),
                () => log.push("inner end"),
            );
            log.push("outer body done");
        },
        () => log.push("outer end"),
    );
    t.same(log, ["outer body done", "flush", "outer end"]);
    t.equal(s.depth, 0);
    t.equal(s.dirty.size, 0);
});

t.test("a step that throws still flushes and leaves the depth at zero", async (t) => {
    let flushed = 0;
    const s: StepState = { depth: 0, dirty: new Set([{ flush: () => flushed++ } as unknown as SccpSession]) };
    t.throws(() =>
        runStep(s, () => {
            throw new Error("boom");
        }),
    );
    t.equal(flushed, 1);
    t.equal(s.depth, 0);
});
