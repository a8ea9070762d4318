/** Hostile operator input, half 2 of the table in operatorInputs.ts. */
import t from "tap";
import { operatorCases, runCase } from "./operatorInputs.js";

const dir = t.testdir({});
const CASES = operatorCases(dir);

for (const c of CASES.filter((_, i) => i % 2 === 1)) {
    t.test(c.name, async (t) => {
        const r = runCase(c, dir);
        t.equal(r.signal, null, "ended on its own (no hang)");
        t.equal(r.status, c.status, `status ${c.status}\n${r.stderr}`);
        t.notMatch(r.stderr, /INTERNAL|^\s+at /m, "no stack trace");
        if (c.stderr !== undefined) t.match(r.stderr, c.stderr);
        if (c.stdout_ !== undefined) t.match(r.stdout ?? "", c.stdout_);
    });
}
