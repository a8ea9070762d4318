/**
 * The fuzz harness itself (test/fuzz/lib.ts): in `npm test` a failing target reports its seed and shrunk
 * counterexample and writes nothing into the tree (before, it saved the input under test/fixtures/fuzz/ in
 * the middle of a test run).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import t, { type Test } from "tap";
import { FIXTURES, runTargets, type Target } from "../fuzz/lib.js";

/** A stand-in for tap's Test that records what the harness reports. */
function recorder() {
    const fails: Array<{ message: string; extra: Record<string, unknown> }> = [];
    const passes: string[] = [];
    const runs: Promise<unknown>[] = [];
    const child = {
        pass: (message: string) => passes.push(message),
        fail: (message: string, extra: Record<string, unknown> = {}) => fails.push({ message, extra }),
    };
    const parent = {
        test: (_name: string, fn: (t: typeof child) => Promise<void>) => {
            runs.push(fn(child));
        },
    };
    return { parent: parent as unknown as Test, fails, passes, done: () => Promise.all(runs) };
}

t.test("a failing target in the bounded run: counterexample reported, nothing written", async (t) => {
    const area = `harness-selftest-${process.pid}`;
    const before = existsSync(FIXTURES) ? readdirSync(FIXTURES).sort() : [];
    const r = recorder();
    const target: Target<Uint8Array> = {
        name: "no-0x42",
        runs: 200,
        arb: fc.uint8Array({ minLength: 1, maxLength: 64 }),
        check(bytes) {
            if (bytes.includes(0x42)) throw new Error("found 0x42");
        },
    };
    runTargets(r.parent, area, [target as Target<never>]);
    await r.done();
    t.equal(r.fails.length, 1, "the property failed");
    const fail = r.fails[0]!;
    t.match(fail.message, /harness-selftest-\d+\/no-0x42: Error: found 0x42/);
    const shown = Buffer.from(String(fail.extra.counterexample), "hex");
    t.ok(shown.includes(0x42) && shown.length <= 4, `the shrunk input is printed: ${fail.extra.counterexample}`);
    t.equal(fail.extra.encoding, "hex");
    t.type(fail.extra.seed, "number");
    t.match(fail.extra.saved, /not saved/);
    t.notOk(existsSync(join(FIXTURES, area)), "no fixture directory made");
    t.same(existsSync(FIXTURES) ? readdirSync(FIXTURES).sort() : [], before, "test/fixtures/fuzz unchanged");
});

t.test("a passing target says how many runs with which seed", async (t) => {
    const r = recorder();
    runTargets(r.parent, "harness-pass", [
        { name: "anything", runs: 10, arb: fc.nat(), check() {} } as unknown as Target<never>,
    ]);
    await r.done();
    t.same(r.fails, []);
    t.match(r.passes[0], /^10 runs in \d+ ms \(seed \d+\)$/);
});
