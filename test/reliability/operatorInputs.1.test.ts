/** Hostile operator input, half 1 of the table in operatorInputs.ts. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { hashPassword } from "../../src/console/config.js";
import { operatorCases, runCase, testHalf } from "./operatorInputs.js";

const dir = t.testdir({});
const CASES = operatorCases(dir);

testHalf(t, dir, CASES, 0);

t.test("the table covers the review's findings", async (t) => {
    t.ok(CASES.length >= 20);
    // a hash made for the console is accepted where a bad one was refused
    const ok = join(dir, "okhash.json");
    writeFileSync(ok, JSON.stringify({ console: { passwordHash: hashPassword("x", 1024) } }));
    t.equal(runCase({ name: "ok", args: ["config", "--check", "--config", ok], status: 0 }, dir).status, 0);
});
