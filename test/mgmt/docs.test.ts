/** docs/MQTT-API.md: every `sh` example runs as written against a real broker, and the tables match the code. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import t from "tap";
import { ALARM_CATALOGUE } from "../../src/mgmt/catalogue.js";
import { RESPONSE_CODES } from "../../src/mgmt/errors.js";
import { HANG_MS } from "../helpers/wait.js";
import { needClients, needMosquitto, TestBroker } from "./helpers/broker.js";
import { startPlane } from "./helpers/service.js";

const DOC = readFileSync(new URL("../../docs/MQTT-API.md", import.meta.url), "utf8");

/** Runs a shell snippet; resolves with its exit code and output. */
function sh(script: string, timeoutMs = HANG_MS): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, out });
        });
    });
}

t.test("the tables name every alarm, command and error code", async (t) => {
    for (const d of ALARM_CATALOGUE) t.ok(DOC.includes(`| \`${d.id}\` | ${d.severity} |`), d.id);
    for (const c of RESPONSE_CODES) t.ok(DOC.includes(`| \`${c}\` |`), c);
    const { builtInHandlers } = await import("../../src/mgmt/handlers.js");
    const handlers = builtInHandlers({
        status: async () => ({}),
        config: {} as never,
        resync: async () => ({}),
    });
    for (const [name, h] of Object.entries(handlers)) {
        t.ok(DOC.includes(`| \`${name}\` | ${h.mutating ? "yes" : "no"} |`), name);
    }
});

t.test("every sh example runs as written", { skip: needMosquitto() || needClients() }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const plane = await startPlane(broker.url, {
        telemetry: { intervalMs: 200 },
        alarms: { policies: { "capture.down": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false } } },
    });
    t.teardown(() => plane.mgmt.stop());
    plane.mgmt.alarms.raise("service.failure", { text: "demo" });
    // alarm events keep coming while the examples run
    let up = false;
    const ticker = setInterval(() => {
        up = !up;
        if (up) plane.mgmt.alarms.raise("capture.down", { resource: "eth1" });
        else plane.mgmt.alarms.clear("capture.down", { resource: "eth1" });
    }, 300);
    t.teardown(() => clearInterval(ticker));
    const blocks = [...DOC.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    t.ok(blocks.length >= 8, `${blocks.length} examples`);
    for (const block of blocks) {
        const script = block.replaceAll("-p 1883", `-p ${broker.port}`);
        const expects = [...block.matchAll(/^# expect: (.*)$/gm)].map((m) => new RegExp(m[1]!, "m"));
        const { code, out } = await sh(script);
        const title = block.split("\n")[0]!.slice(0, 100);
        t.equal(code, 0, `exits 0: ${title}`);
        for (const re of expects) t.match(out, re, `${re}: ${title}`);
    }
    t.equal(plane.mgmt.config.current.log.level, "debug", "the desired configuration was applied");
    t.same(plane.mgmt.config.pending(), [], "over the start configuration: the earlier set-parameter is gone");
});
