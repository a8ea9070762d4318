/**
 * Fault: the mirror interface goes down and up while the service captures on it. A veth pair whose far end
 * lives in a private network namespace carries a real TCP connection (SCCP keepalives); the interface is
 * set down and up with `ip link`. The capture notices, capture.down is raised and cleared, capture resumes
 * by itself, and the service decodes the connection again.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect, type Socket } from "node:net";
import t from "tap";
import { CAPTURE_DOWN_ALARM, captureDownAlarm } from "../../src/capture/captureAlarm.js";
import { LiveCapture, type LiveCaptureState } from "../../src/capture/liveCapture.js";
import { interfaceUp } from "../../src/capture/pcapChild.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { needLiveCapture, until } from "../helpers/live.js";
import { needTool } from "../helpers/tools.js";

const id = process.pid % 10000;
const A = `cbr${id}a`;
const B = `cbr${id}b`;
const NS = `cbr${id}`;
const NET = `10.213.${id % 250}`;

const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });

/** Whether this machine lets us make a veth pair and a network namespace. */
function canNamespace(): string | false {
    const probe = `cbp${id}`;
    const r = ip("netns", "add", probe);
    if (r.status !== 0) return `ip netns is not permitted here (${r.stderr.trim()})`;
    ip("netns", "del", probe);
    const v = ip("link", "add", `${probe}a`, "type", "veth", "peer", "name", `${probe}b`);
    if (v.status !== 0) return `veth interfaces are not permitted here (${v.stderr.trim()})`;
    ip("link", "del", `${probe}a`);
    return false;
}

const skip =
    needLiveCapture() ||
    needTool("ip", "iproute2", ["-V"]) ||
    needTool("socat", "socat", ["-V"]) ||
    (process.getuid?.() === 0 ? canNamespace() : "needs root to create a network namespace");

/** SCCP KeepAliveReq (length 4, version 0, id 0x0000). */
const KEEPALIVE = Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

t.test(
    "the mirror interface goes down and up: capture.down raised and cleared, capture resumes",
    { skip },
    async (t) => {
        ip("link", "del", A);
        ip("netns", "del", NS);
        t.teardown(() => {
            ip("link", "del", A);
            ip("netns", "del", NS);
        });
        const must = (...args: string[]) => {
            const r = ip(...args);
            if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
        };
        must("netns", "add", NS);
        must("link", "add", A, "type", "veth", "peer", "name", B);
        must("link", "set", B, "netns", NS);
        must("addr", "add", `${NET}.1/30`, "dev", A);
        must("link", "set", A, "up");
        must("-n", NS, "addr", "add", `${NET}.2/30`, "dev", B);
        must("-n", NS, "link", "set", B, "up");
        must("-n", NS, "link", "set", "lo", "up");
        // An echo server on the far side: what we send comes back, both directions cross the veth.
        const server: ChildProcess = spawn(
            "ip",
            ["netns", "exec", NS, "socat", "TCP-LISTEN:2000,reuseaddr,fork", "EXEC:cat"],
            {
                stdio: "ignore",
            },
        );
        t.teardown(() => {
            server.kill();
        });

        configureLogging({ level: "silent" });
        const config = loadConfig({
            env: {},
            overrides: { http: { listen: "127.0.0.1:0" }, capture: { sccpPorts: [2000] }, log: { level: "silent" } },
        });
        const service = new CallbackService({ config, fs: new MemoryFlashFs(), timeMode: "live" });
        await service.start();
        t.teardown(() => service.stop());
        const alarms: string[] = [];
        const states: LiveCaptureState[] = [];
        const downAlarm = captureDownAlarm(A, (alarmId, action, details) =>
            alarms.push(`${alarmId} ${action} ${details}`),
        );
        const cap = new LiveCapture(
            {
                interface: A,
                filter: "tcp port 2000",
                snapLength: 65535,
                bufferSizeBytes: 1 << 20,
                promiscuous: false,
                retryMs: 200,
                statsIntervalMs: 100,
            },
            service.onFrame,
            {
                onState: (s, e) => {
                    states.push(s);
                    downAlarm(s, e);
                },
            },
        );
        t.teardown(() => cap.stop());
        cap.start();
        await until(() => cap.stats().state === "open", "the capture to open");

        let sock: Socket | null = null;
        const open = async (): Promise<void> => {
            for (let i = 0; i < 50 && sock === null; i++) {
                sock = await new Promise<Socket | null>((resolve) => {
                    const s = connect(2000, `${NET}.2`);
                    s.once("connect", () => resolve(s));
                    s.once("error", () => resolve(null));
                });
                if (sock === null) await new Promise((r) => setTimeout(r, 100));
            }
            if (sock === null) throw new Error("the echo server did not answer");
            (sock as Socket).on("data", () => {});
            (sock as Socket).on("error", () => {});
        };
        await open();
        t.teardown(() => sock?.destroy());
        const send = setInterval(() => sock?.write(KEEPALIVE), 50);
        t.teardown(() => clearInterval(send));
        const frames = () => service.pipeline.counters.tcp;
        await until(() => frames() > 10, "frames of the connection");
        t.ok(interfaceUp(A), "operstate up");

        // Down: no packets can be captured; the capture says so instead of silently capturing nothing.
        must("link", "set", A, "down");
        t.notOk(interfaceUp(A), "operstate down");
        await until(() => cap.stats().state !== "open", "the capture to notice");
        const downAt = performance.now();
        const failedBefore = cap.stats().failures;
        t.match(cap.stats().lastError?.code ?? "", /^CAPTURE_INTERFACE_(DOWN|LOST)$/);
        t.match(alarms, [new RegExp(`^${CAPTURE_DOWN_ALARM} raise ${A}: `)]);
        // It keeps retrying while the interface stays down (two more failed opens), without spinning: never
        // more than one attempt per 200 ms retry interval (a loaded machine makes fewer, never more).
        await until(() => cap.stats().failures >= failedBefore + 2, "two more failed opens while down");
        const failures = cap.stats().failures - failedBefore;
        const intervals = (performance.now() - downAt) / 200;
        t.ok(failures <= intervals + 1, `${failures} failed opens in ${intervals.toFixed(1)} retry intervals`);

        // Up: capture reopens by itself, the alarm clears, the connection is decoded again.
        must("link", "set", A, "up");
        await until(() => cap.stats().state === "open", "the capture to reopen");
        const reopened = frames();
        await until(() => frames() > reopened + 10, "frames again after the interface came back");
        t.equal(alarms.length, 2);
        t.match(alarms[1], new RegExp(`^${CAPTURE_DOWN_ALARM} clear`));
        t.ok(cap.stats().opens >= 2, "reopened");
        t.ok(service.pipeline.reassembler.stats.bytesDelivered > 0, "the stream was reassembled");
        t.ok(states.includes("retrying") && states.at(-1) === "open");
    },
);

t.test("captureDownAlarm: raise once per outage, clear only after one", async (t) => {
    const seen: string[] = [];
    const f = captureDownAlarm("eth9", (alarmId, action, details) => seen.push(`${alarmId} ${action} ${details}`));
    f("starting", null);
    f("open", null);
    f("retrying", null);
    f("starting", null);
    f("retrying", { code: "CAPTURE_OPEN", message: "eth9: no such device" });
    f("open", null);
    f("open", null);
    t.same(seen, ["capture.down raise eth9: capture not running", "capture.down clear capturing on eth9 again"]);
    t.ok(interfaceUp("no-such-interface-xyz"), "unknown state counts as up");
    t.ok(interfaceUp("lo"), "lo is up (operstate unknown)");
});
