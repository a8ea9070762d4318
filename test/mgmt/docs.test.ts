/**
 * docs/MQTT-API.md: every `sh` example runs as written against a running `callbackd run` and a real
 * Mosquitto (not a stub), and the tables match the code.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ALARM_CATALOGUE } from "../../src/mgmt/catalogue.js";
import { RESPONSE_CODES } from "../../src/mgmt/errors.js";
import { startService } from "../helpers/runningService.js";
import { HANG_MS } from "../helpers/wait.js";
import { needClients, needMosquitto, TestBroker } from "./helpers/broker.js";

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

t.test(
    "every sh example runs as written against the running service",
    { skip: needMosquitto() || needClients() },
    async (t) => {
        const broker = await TestBroker.start();
        t.teardown(() => broker.destroy());
        // the real thing: `callbackd run` with its management plane on Mosquitto (no stub service)
        const svc = await startService({
            mqtt: { url: broker.url, site: "branch1", node: "cbk1", telemetryIntervalS: 1 },
        });
        t.teardown(() => svc.stop());
        // The interface does not exist, so capture.down is raised (after its 5 s raise delay) in any case: let it
        // come before the examples, one of which reads "the next alarm event" and must see its own.
        const end = Date.now() + 30_000;
        while (!/"alarm":"capture.down","state":"raised"/.test(svc.output())) {
            if (Date.now() > end) throw new Error(`capture.down never raised: ${svc.output().slice(-2000)}`);
            await new Promise((r) => setTimeout(r, 50));
        }
        const blocks = [...DOC.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
        t.ok(blocks.length >= 9, `${blocks.length} examples`);
        for (const block of blocks) {
            const script = block.replaceAll("-p 1883", `-p ${broker.port}`);
            const expects = [...block.matchAll(/^# expect: (.*)$/gm)].map((m) => new RegExp(m[1]!, "m"));
            const { code, out } = await sh(script);
            const title = block.split("\n")[0]!.slice(0, 100);
            t.equal(code, 0, `exits 0: ${title}`);
            for (const re of expects) t.match(out, re, `${re}: ${title}`);
        }
        const saved = JSON.parse(readFileSync(join(svc.stateDir, "saved-config.json"), "utf8")) as {
            cti: { heartbeatIntervalS: number };
        };
        t.equal(saved.cti.heartbeatIntervalS, 45, "save-config wrote the change for the next start");
        t.match(
            readFileSync(join(svc.stateDir, "desired-config.json"), "utf8"),
            /"version": 1/,
            "the applied desired document is kept",
        );
    },
);
