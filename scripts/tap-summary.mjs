#!/usr/bin/env node
// tap reporter: passes raw TAP through and ends with the plain line CI reads, taken from tap's own
// closing `# { total: …, pass: …, fail: …, skip: …, todo: … }` comment; the output of several tap runs
// one after the other (npm test, then npm run test:release) is summed.
import { createInterface } from "node:readline";

const summaries = [];
const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
rl.on("line", (line) => {
    process.stdout.write(`${line}\n`);
    const m = /^# (\{ total: .*\})\s*$/.exec(line);
    if (m) summaries.push(m[1]);
});
rl.on("close", () => {
    if (summaries.length === 0) {
        process.stdout.write("0 passed, 1 failed\n");
        return;
    }
    const num = (key) =>
        summaries.reduce((sum, s) => sum + Number(new RegExp(`\\b${key}: (\\d+)`).exec(s)?.[1] ?? 0), 0);
    const skipped = num("skip") + num("todo");
    process.stdout.write(`${num("pass")} passed, ${num("fail")} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
});
