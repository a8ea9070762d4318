/** Hostile operator input, half 1 of the table in operatorInputs.ts. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { hashPassword } from "../../src/console/config.js";
import { operatorCases, runCase } from "./operatorInputs.js";

const dir = t.testdir({});
const CASES = operatorCases(dir);

for (const c of CASES.filter((_, i) => i % 2 === 0)) {
    t.test(c.name, async (t) => {
        const r = runCase(c, dir);
        t.equal(r.signal, null, "ended on its own (no hang)");
        t.equal(r.status, c.status, `status ${c.status}\n${r.stderr}`);
        t.notMatch(r.stderr, /INTERNAL|^\s+at /m, "no stack trace");
        if (c.stderr !== undefined) t.match(r.stderr, c.stderr);
        if (c.stdout_ !== undefined) t.match(r.stdout ?? "", c.stdout_);
    });
}

t.test("the table covers the review's findings", async (t) => {
    t.ok(CASES.length >= 20);
    // a hash made for the console is accepted where a bad one was refused
    const ok = join(dir, "okhash.json");
    writeFileSync(ok, JSON.stringify({ console: { passwordHash: hashPassword("x", 1024) } }));
    t.equal(runCase({ name: "ok", args: ["config", "--check", "--config", ok], status: 0 }, dir).status, 0);
});
