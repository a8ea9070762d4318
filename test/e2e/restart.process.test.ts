/**
 * The box keeps what it learned (issue N), with real processes: `callbackd run` captures the simulated
 * office live on lo; the phones register; the process is stopped (SIGTERM) — or killed (SIGKILL) as soon
 * as what it learned is on flash — and started again, and no phone registers again. Then 1003 calls 1002,
 * hears busy and presses CallBack: the restarted box shows "activated", and when 1002 hangs up, the
 * notification with 1003's own clock and date format. The same with two `callbackd replay` runs on one
 * state directory: the registrations in the first capture, the call and the press in the second.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { configureLogging } from "../../src/logging/logger.js";
import type { BranchPhoneSpec } from "../../src/sim/branch.js";
import { ManualClock, RealClock } from "../../src/sim/clock.js";
import type { FrameOutput } from "../../src/sim/synth.js";
import { BIN, BoxProcess, until } from "../helpers/boxProcess.js";
import { needLiveCapture } from "../helpers/live.js";
import { HANG_MS } from "../helpers/wait.js";
import { freePort } from "../mgmt/helpers/broker.js";
import { needOffice, PUSH_PASSWORD, PUSH_USER, XSI_PORT } from "./helpers.js";
import { startXsiOffice } from "./xsiOffice.js";

configureLogging({ level: "silent" });
const PHONES: BranchPhoneSpec[] = [
    { dn: "1003", timeZone: "Asia/Tokyo", dateTemplate: "Y-M-D" },
    { dn: "1002" },
    { dn: "1001" },
];
const ACTIVATED = "Call Back is activated on 1002. Press Cancel to deactivate. Press Exit to quit this screen.";
const isAvailable = (s: string) => s.startsWith("1002 has become available");

/** Runs `callbackd` (asynchronously: the office in this process must keep answering). */
function callbackd(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: HANG_MS }, (err, stdout, stderr) => {
            const status = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
            resolve({ status, stdout, stderr });
        });
    });
}

interface FlashKnowledge {
    devices: { name: string | null; lines: { dn: string | null }[] }[];
}

/** Every phone with its number is in the newest snapshot of `dir` (as `callbackd snapshot --json` shows it). */
async function allLearned(dir: string): Promise<boolean> {
    const r = await callbackd(["snapshot", "--dir", dir, "--json"]);
    if (r.status !== 0) return false;
    const k = (JSON.parse(r.stdout) as { knowledge: FlashKnowledge | null }).knowledge;
    return (
        k !== null && PHONES.every((p) => k.devices.some((d) => d.name !== null && d.lines.some((l) => l.dn === p.dn)))
    );
}

/** Waits until `check` resolves true (polling every 200 ms) or fails after `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

/** The time as 1003's phone shows it: Tokyo time, "Y-M-D" with a 24-hour clock. */
function tokyo(ms: number): string {
    const parts = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Tokyo",
        year: "2-digit",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
    }).formatToParts(new Date(ms));
    const p = (type: string) => parts.find((x) => x.type === type)?.value ?? "";
    return `${p("hour")}:${p("minute")} ${p("year")}-${p("month")}-${p("day")}`;
}

/** The office (clock real or manual) with XSI phones whose screens and sounds are recorded. */
function office(clock: RealClock | ManualClock, cmPort: number, tap?: FrameOutput) {
    return startXsiOffice(PHONES, clock, cmPort, tap);
}

function boxConfig(dir: string, cmPort: number, httpPort: number): Record<string, unknown> {
    return {
        capture: { interface: "lo", sccpPorts: [cmPort] },
        http: { listen: `127.0.0.31:${httpPort}` },
        phones: { pushUser: PUSH_USER, pushPassword: PUSH_PASSWORD, pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute` },
        state: { dir: join(dir, "state") },
        console: { tcpEnabled: false, device: null },
        cluster: { knowledgeWriteDelayMs: 100 },
        callback: { guardTimeMs: 300 },
        log: { level: "info" },
    };
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    t.test(
        `callbackd run: phones register, ${signal}, start again: Call Back works`,
        { skip: needLiveCapture() || needOffice() },
        async (t) => {
            const dir = mkdtempSync(join(tmpdir(), "cbk-restart-"));
            const cmPort = await freePort();
            const box = new BoxProcess("cbk", "127.0.0.31", dir, boxConfig(dir, cmPort, await freePort()));
            let o: Awaited<ReturnType<typeof office>> | null = null;
            // registered before anything starts: a failure half-way must not leave the box running
            t.teardown(async () => {
                await o?.branch.stop();
                await box.kill("SIGTERM");
                rmSync(dir, { recursive: true, force: true });
            });
            await box.start();
            o = await office(new RealClock(), cmPort);
            await eventually(() => allLearned(join(dir, "state")), "what the box learned on flash", HANG_MS);
            const ended = await box.kill(signal);
            if (signal === "SIGTERM") t.strictSame(ended, { code: 0, signal: null }, "an orderly stop");
            await box.start();
            t.match(box.output, /"devices":3,.*"msg":"call-back service started"/, "the three phones restored");

            await o.branch.call("1001", "1002");
            await o.branch.answer("1002");
            await o.branch.call("1003", "1002");
            await until(() => o.branch.phone("1003").tone === 0x23, "1003 hears busy");
            await o.branch.press("1003", "CallBack");
            await until(
                () => o.screens("1003").includes(ACTIVATED),
                "the activated screen",
                HANG_MS,
                () =>
                    box.output.includes("softkey press not interpreted")
                        ? `the press was not understood: ${box.output.slice(-3000)}`
                        : null,
            );
            await o.branch.hangUp("1003");
            const before = Date.now();
            await o.branch.hangUp("1002");
            await until(() => o.screens("1003").some(isAvailable), "the notification on 1003");
            const after = Date.now();
            const text = o.screens("1003").find(isAvailable) ?? "";
            // the caller's own clock and date format (the minute may turn while the guard time runs)
            const shown = [tokyo(before), tokyo(after)].map(
                (time) => `1002 has become available Time ${time}. Press Dial to Call. Press Exit to quit this screen.`,
            );
            t.ok(shown.includes(text), `${text} shows Tokyo time as Y-M-D`);
        },
    );
}

t.test(
    "two `callbackd replay` runs on one state directory: registrations, then the call",
    { skip: needOffice() },
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "cbk-replay-halves-"));
        const cmPort = await freePort();
        const clock = new ManualClock();
        const files = [join(dir, "first.pcap"), join(dir, "second.pcap")] as const;
        let writer: PcapFileWriter | null = new PcapFileWriter(files[0], 1, 65535, 1 << 16, { fsync: false });
        const tee: FrameOutput = { writeFrom: (ts, buf, start, end) => writer?.writeFrom(ts, buf, start, end) };
        const o = await office(clock, cmPort, tee);
        t.teardown(async () => {
            await o.branch.stop();
            rmSync(dir, { recursive: true, force: true });
        });
        /** Simulated time on in small steps, letting the sockets carry what it makes happen. */
        const run = async (ms: number, until: () => boolean = () => false) => {
            for (let left = ms; left > 0 && !until(); left -= 100) {
                await o.branch.advance(100);
                await new Promise((r) => setTimeout(r, 2));
            }
        };
        await run(2000);
        writer.close();
        // the second half: the office goes on without registering again
        writer = new PcapFileWriter(files[1], 1, 65535, 1 << 16, { fsync: false });
        await o.branch.call("1001", "1002");
        await o.branch.answer("1002");
        await o.branch.call("1003", "1002");
        await run(5000, () => o.branch.phone("1003").tone === 0x23);
        t.equal(o.branch.phone("1003").tone, 0x23, "1003 hears busy");
        await o.branch.press("1003", "CallBack", { force: true });
        await run(500);
        await o.branch.hangUp("1003");
        await o.branch.hangUp("1001");
        // capture time moves on only with traffic: run until the keepalives carry it past the guard time
        await run(40_000);
        writer.close();
        writer = null;

        const config = join(dir, "replay.json");
        const httpPort = await freePort();
        writeFileSync(
            config,
            JSON.stringify({
                capture: { sccpPorts: [cmPort] },
                http: { listen: `127.0.0.32:${httpPort}` },
                phones: {
                    pushUser: PUSH_USER,
                    pushPassword: PUSH_PASSWORD,
                    pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute`,
                },
                cluster: { knowledgeWriteDelayMs: 0 },
                callback: { guardTimeMs: 300 },
                log: { level: "warn" },
            }),
        );
        const state = join(dir, "state");
        // --linger: the phones fetch their screens from the replay's HTTP service after the push
        // The office's clock goes on meanwhile: a phone answers a push that plays a sound only after the clip (on
        // its own, manual, clock), and the replay waits for the pushes it sent.
        const replay = async (file: string, ...more: string[]) => {
            let done = false;
            const r = callbackd(["replay", file, "--config", config, "--linger", "1", ...more]).finally(() => {
                done = true;
            });
            while (!done) await run(100);
            return r;
        };
        const first = await replay(files[0], "--state-dir", state);
        t.equal(first.status, 0, first.stderr);
        t.match(first.stdout, /requests made: 0/);
        t.match(first.stdout, /phones not learned: none/);
        t.ok(await allLearned(state), "the first replay left what it learned in the state directory");

        const second = await replay(files[1], "--state-dir", state);
        t.equal(second.status, 0, second.stderr);
        t.match(second.stdout, /requests made: 1\n/, `${second.stdout}${second.stderr}`);
        t.match(second.stdout, /notified: 1\n/);
        t.match(second.stdout, /phones not learned: none/);
        t.ok(o.screens("1003").includes(ACTIVATED), "1003 was shown the activated screen");
        t.ok(o.screens("1003").some(isAvailable), "and the notification");

        // the same second half without the first: the box cannot understand the press, and says so
        const alone = await replay(files[1]);
        t.match(alone.stdout, /requests made: 0\n/);
        t.match(alone.stdout, /phones not learned: 3\n {2}@127\.0\.1\.\d+ lacks callback-key/);
    },
);
