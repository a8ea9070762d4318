#!/usr/bin/env node
// tap reporter: passes raw TAP through and ends with the plain line CI reads, taken from tap's own
// closing `# { total: …, pass: …, fail: …, skip: …, todo: … }` comment.
import { createInterface } from "node:readline";

let summary = null;
const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
rl.on("line", (line) => {
    process.stdout.write(`${line}\n`);
    const m = /^# (\{ total: .*\})\s*$/.exec(line);
    if (m) summary = m[1];
});
rl.on("close", () => {
    if (summary === null) {
        process.stdout.write("0 passed, 1 failed\n");
        return;
    }
    const num = (key) => Number(new RegExp(`\\b${key}: (\\d+)`).exec(summary)?.[1] ?? 0);
    const skipped = num("skip") + num("todo");
    process.stdout.write(`${num("pass")} passed, ${num("fail")} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
});
