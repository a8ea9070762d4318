/**
 * docs/CONSOLE.md: the example session, replayed against a running `callbackd run` (child process,
 * capturing live on lo) watching a simulated branch office, through its loopback console. Each output line
 * of the document must match what the console prints, with times, addresses, device names, paths and
 * column widths free; the prompt is the host name (the document's box is "branch1").
 */

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import t from "tap";
import { Branch } from "../../src/sim/branch.js";
import { RealClock } from "../../src/sim/clock.js";
import { type XsiPhoneService, xsiPhoneFactory } from "../../src/sim/xsi/service.js";
import { needOffice } from "../e2e/helpers.js";
import { needLiveCapture } from "../helpers/live.js";
import { CONSOLE_PASSWORD, freeTcpPort, startService } from "../helpers/runningService.js";
import { HANG_MS } from "../helpers/wait.js";
import { Terminal } from "./helpers.js";

const DOC = readFileSync(new URL("../../docs/CONSOLE.md", import.meta.url), "utf8");
const BOARD = join(import.meta.dirname, "../../board");
const PUSH = { user: "cbpush", password: "doc-test-push" };
const DOC_HOST = "branch1";

/** A document line as a pattern: what varies from box to box (times, addresses, names, paths, widths) is free. */
function linePattern(line: string): RegExp {
    const free: Array<[RegExp, string]> = [
        [/\d\d:\d\d:\d\d(\.\d+)?/g, "\u0001"],
        [/SEP[0-9A-F]{12}/g, "\u0002"],
        [/\b\d{1,3}(\.\d{1,3}){3}\b/g, "\u0003"],
        [/(^|\s)\/\S+/g, "$1\u0004"],
    ];
    let s = line.trim();
    for (const [re, mark] of free) s = s.replace(re, mark);
    const esc = s
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace(/-{2,}/g, "-+")
        .replace(/\s+/g, "\\s+");
    return new RegExp(
        `^${esc
            .replaceAll("\u0001", "\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?")
            .replaceAll("\u0002", "SEP[0-9A-F]{12}")
            .replaceAll("\u0003", "\\d{1,3}(\\.\\d{1,3}){3}")
            .replaceAll("\u0004", "\\S+")}$`,
    );
}

/** The example session: commands and the lines each is expected to print. */
function transcript(): Array<{ mode: ">" | "#"; command: string; expect: string[] }> {
    const block = /## Example session[\s\S]*?```\n([\s\S]*?)```/.exec(DOC)?.[1];
    if (block === undefined) throw new Error("no example session in docs/CONSOLE.md");
    const steps: Array<{ mode: ">" | "#"; command: string; expect: string[] }> = [];
    for (const line of block.split("\n")) {
        const prompt = new RegExp(`^${DOC_HOST}([>#])(.*)$`).exec(line);
        if (prompt !== null) steps.push({ mode: prompt[1] as ">" | "#", command: prompt[2]!.trim(), expect: [] });
        else if (line.trim() !== "" && steps.length > 0) steps[steps.length - 1]!.expect.push(line);
    }
    return steps;
}

/** Debug lines arrive on their own; they count only where the document shows them. */
const DEBUG_LINE = /^\d\d:\d\d:\d\d(\.\d+)? [A-Z]+ \w+/;

t.test("the patterns free what varies and nothing else", async (t) => {
    t.match(
        "cb-1  SEP0011223344AB  1003  1002  busy  waiting  12:00:01  13:00:01",
        linePattern("cb-1  SEP001E4A000103  1003  1002  busy     waiting  09:14:03  10:14:03"),
    );
    t.notMatch(
        "cb-2  SEP0011223344AB  1003  1002  busy  waiting  12:00:01  13:00:01",
        linePattern("cb-1  SEP001E4A000103  1003  1002  busy  waiting  09:14:03  10:14:03"),
    );
    t.match(
        "Saved 2 change(s) to /tmp/x/state/saved-config.json: a, b",
        linePattern("Saved 2 change(s) to /var/lib/callbackd/saved-config.json: a, b"),
    );
    t.ok(transcript().length >= 10);
});

t.test(
    "the example session runs as written against the running service",
    { skip: needLiveCapture() || needOffice() },
    async (t) => {
        const cmPort = await freeTcpPort();
        const xsiPort = await freeTcpPort();
        const svc = await startService({
            capture: { interface: "lo", sccpPorts: [cmPort] },
            phones: { pushUser: PUSH.user, pushPassword: PUSH.password, pushUrl: `http://{ip}:${xsiPort}/CGI/Execute` },
        });
        t.teardown(() => svc.stop());
        const end = Date.now() + HANG_MS;
        while (!/"capture open"/.test(svc.output()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        const clock = new RealClock();
        const phones = new Map<string, XsiPhoneService>();
        const factory = xsiPhoneFactory({ port: xsiPort, auth: PUSH, clock, audio: { dir: BOARD } }, phones);
        const branch = await Branch.start({
            phones: ["1001", "1002", "1003"].map((dn) => ({ dn, model: "7960", xsi: factory })),
            clock,
            cm: { port: cmPort },
        });
        t.teardown(() => branch.stop());
        // 1003 calls 1002, which is busy with 1001, and presses CallBack
        await branch.call("1001", "1002");
        await branch.answer("1002");
        await branch.call("1003", "1002");
        const busy = Date.now() + HANG_MS;
        while (branch.phone("1003").tone !== 0x23 && Date.now() < busy) await new Promise((r) => setTimeout(r, 20));
        await branch.press("1003", "CallBack");
        const screen = phones.get(branch.phone("1003").ip);
        const activated = Date.now() + HANG_MS;
        while (!(screen?.screens ?? []).some((s) => s.text.includes("activated")) && Date.now() < activated) {
            await new Promise((r) => setTimeout(r, 20));
        }

        const host = hostname();
        const term = await Terminal.tcp(svc.consolePort);
        t.teardown(() => term.close());
        t.match(await term.expect(/Password: $/), /callbackd diagnostic console/);
        await term.send(`${CONSOLE_PASSWORD}\r`);
        await term.expect(/>$/);
        await term.run("terminal length 0", new RegExp(`\\r\\n${host}[>#]$`));
        for (const step of transcript()) {
            const prompt = new RegExp(`\\r\\n${host}[>#]$`);
            if (step.command === "") {
                // asynchronous lines: what the office does next makes them
                await branch.hangUp("1003");
                await branch.hangUp("1002");
                for (const line of step.expect) {
                    // the whole line, as the console prints it above the prompt
                    const body = linePattern(line).source.slice(1, -1);
                    await term.expect(new RegExp(`(?:^|\\n|\\x1b\\[K)${body}\\r\\n`), 30_000);
                }
                continue;
            }
            term.out = "";
            await term.send(`${step.command}\r`);
            let out: string;
            if (step.command === "exit") {
                const gone = Date.now() + HANG_MS;
                while (!term.ended && Date.now() < gone) await new Promise((r) => setTimeout(r, 10));
                t.ok(term.ended, "exit ends the TCP session");
                continue;
            }
            if (step.command === "enable") {
                out = await term.expect(/Password: $/);
                await term.send(`${CONSOLE_PASSWORD}\r`);
                await term.expect(/#$/);
            } else out = await term.expect(prompt);
            const promptLine = new RegExp(`^${host}[>#]`);
            const got = out
                .split("\r\n")
                .map((l) => l.replaceAll("\x1b[K", "").replace(/^\r/, "").trimEnd())
                // the echo of the command, prompts (redrawn after a debug line) and debug lines are not output
                .filter((l) => l !== "" && l !== step.command && !promptLine.test(l) && !DEBUG_LINE.test(l));
            t.equal(
                got.length,
                step.expect.length,
                `${step.command}: ${step.expect.length} line(s)\n${got.join("\n")}`,
            );
            for (const [i, line] of step.expect.entries())
                t.match(got[i] ?? "", linePattern(line), `${step.command}: ${line}`);
        }
    },
);
