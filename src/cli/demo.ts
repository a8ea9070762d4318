import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { EngineEffect } from "../callback/types.js";
import { LiveCapture } from "../capture/liveCapture.js";
import { loadPcapAddon } from "../capture/pcapChild.js";
import type { ClusterEvent } from "../cluster/types.js";
import { loadConfig } from "../config/load.js";
import { configureLogging } from "../logging/logger.js";
import { startEmbeddedBroker } from "../mgmt/embeddedBroker.js";
import { MqttManagement } from "../mgmt/mqttManagement.js";
import { CallbackService } from "../service/callbackService.js";
import { serviceApi } from "../service/serviceApi.js";
import { Branch } from "../sim/branch.js";
import { RealClock } from "../sim/clock.js";
import { frameSinkOutput } from "../sim/synth.js";
import { type XsiPhoneService, xsiPhoneFactory } from "../sim/xsi/service.js";
import { NodeFlashFs } from "../store/flashFs.js";

/**
 * The built-in branch-office demo (`npm start`): a simulated CallManager and four phones on loopback, the
 * Call Back service watching them (live on lo through libpcap when it may, else from the simulator's
 * mirror stream), an embedded MQTT broker, and a narration of what happens — a busy call, CallBack pressed,
 * the callee hanging up, the twinkle and the screen, the caller dialling.
 */
export interface DemoOptions {
    out: Writable;
    /** Keep running after the scripted call-back (Ctrl-C to stop). */
    forever?: boolean;
    /** Force the capture path: "live" (libpcap on lo) or "mirror" (the simulator's frames). Default: live when possible. */
    capture?: "live" | "mirror";
    /** Speed-up of the office's time (default 1: real time). */
    speed?: number;
    /**
     * Where the service keeps its state (snapshots, MQTT outbox); created if missing and kept afterwards.
     * Default: a temporary directory removed when the demo ends, however it ends (done, error, Ctrl-C).
     */
    stateDir?: string;
    /** Ends the demo early, cleaning up as at the end (the CLI aborts it on SIGINT/SIGTERM). */
    signal?: AbortSignal;
}

const PUSH_USER = "demo-push";
const PUSH_PASSWORD = "demo-only-password";
const BOARD = new URL("../../board/", import.meta.url).pathname;

function canCaptureLive(): boolean {
    if ("error" in loadPcapAddon()) return false;
    return process.getuid?.() === 0;
}

export async function runDemo(opts: DemoOptions): Promise<number> {
    const out = opts.out;
    const say = (text: string): void => {
        out.write(`${text}\n`);
    };
    const stamp = (): string => new Date().toISOString().slice(11, 19);
    configureLogging({ level: "silent" });
    const live = opts.capture === "live" || (opts.capture === undefined && canCaptureLive());
    const keepState = opts.stateDir !== undefined;
    const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "callbackd-demo-"));
    if (keepState) mkdirSync(stateDir, { recursive: true });
    // Everything started from here on is stopped in the `finally` below, whatever happens in between.
    const cleanups: Array<() => unknown> = [];
    let closing = false;
    let ok = false;
    try {
        const [cmPort, xsiPort] = await demoPorts();
        const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 }).catch(() => null);
        if (broker !== null) cleanups.push(() => broker.close());
        const config = loadConfig({
            env: {},
            overrides: {
                capture: { sccpPorts: [cmPort] },
                http: { listen: "127.0.0.1:0" },
                phones: {
                    pushUser: PUSH_USER,
                    pushPassword: PUSH_PASSWORD,
                    pushUrl: `http://{ip}:${xsiPort}/CGI/Execute`,
                },
                state: { dir: stateDir },
                callback: { guardTimeMs: 2000 },
                ...(broker !== null
                    ? { mqtt: { url: broker.url, protocolVersion: 4, site: "demo", node: "callbackd" } }
                    : {}),
            },
        });

        say("callbackd demo: a branch office on loopback with a CallManager and four Cisco IP phones.");
        say(
            `  the service watches the office ${live ? "live on lo through libpcap" : "through the simulator's mirror stream (run as root to capture live on lo)"}`,
        );
        if (keepState) say(`  state directory (kept): ${stateDir}`);
        const service = new CallbackService({
            config,
            fs: new NodeFlashFs(stateDir),
            timeMode: "live",
            onEvent: (e) => narrate(e),
        });
        await service.start();
        cleanups.push(() => service.stop());
        if (broker !== null) {
            const mgmt = new MqttManagement({
                site: "demo",
                node: "callbackd",
                broker: { url: broker.url, protocolVersion: 4 },
                flash: new NodeFlashFs(stateDir),
                config: { boot: config, apply: () => {} },
                version: "demo",
                service: serviceApi(service),
            });
            await mgmt.start();
            cleanups.push(() => mgmt.stop());
            say(
                `  MQTT: embedded broker at ${broker.url}; watch it with: mosquitto_sub -h 127.0.0.1 -p ${broker.port} -t 'callbackd/#' -v`,
            );
        }
        say(`  phone screens are served from ${service.http.baseUrl}\n`);

        /** A phone by its first number, as people in the office know it. */
        const who = (device: string): string => service.model.device(device)?.lines[0]?.dn ?? device;
        function narrate(e: ClusterEvent | EngineEffect): void {
            if (closing) return;
            switch (e.type) {
                case "DeviceRegistered":
                    say(`${stamp()}  phone ${e.name ?? e.device} (${e.model ?? "?"}) registered with the CallManager`);
                    break;
                case "CallBackPressed":
                    say(
                        `${stamp()}  ${who(e.device)} pressed CallBack${e.calledDn ? ` while calling ${e.calledDn} (${e.trigger ?? "?"})` : " on the idle screen"}`,
                    );
                    break;
                case "Persist":
                    say(`${stamp()}    state written to flash (a restart loses nothing)`);
                    break;
                case "RequestChanged":
                    if (e.change === "activated")
                        say(
                            `${stamp()}    Call Back is active: ${who(e.request.caller.device)} waits for ${e.request.calledDn}`,
                        );
                    if (e.change === "notified")
                        say(
                            `${stamp()}    ${e.request.calledDn} is available: notifying ${who(e.request.caller.device)}`,
                        );
                    break;
                case "RequestEnded":
                    say(`${stamp()}    the call-back ended: ${e.reason}`);
                    break;
                case "LineStateChanged":
                    if (e.from !== "unknown") say(`${stamp()}  line ${e.dn}: ${e.from} -> ${e.to}`);
                    break;
                default:
                    break;
            }
        }

        const clock = new RealClock({ speed: opts.speed ?? 1 });
        const phones = new Map<string, XsiPhoneService>();
        const factory = xsiPhoneFactory(
            { port: xsiPort, auth: { user: PUSH_USER, password: PUSH_PASSWORD }, clock, audio: { dir: BOARD } },
            phones,
        );
        const capture = live
            ? new LiveCapture(
                  {
                      interface: "lo",
                      filter: `tcp port ${cmPort}`,
                      snapLength: 65535,
                      bufferSizeBytes: 4 << 20,
                      promiscuous: false,
                      retryMs: 1000,
                  },
                  service.onFrame,
              )
            : null;
        capture?.start();
        if (capture !== null) cleanups.push(() => capture.stop());
        const started = Date.now();
        while (capture !== null && capture.stats().state !== "open" && Date.now() - started < 10_000) {
            await sleep(50, opts.signal);
        }
        const branch = await Branch.start({
            phones: [1001, 1002, 1003, 1004].map((dn) => ({
                dn: String(dn),
                model: dn === 1004 ? "7940" : "7960",
                xsi: factory,
            })),
            clock,
            cm: { port: cmPort },
            ...(live ? {} : { tap: frameSinkOutput(service.onFrame) }),
        });
        cleanups.push(() => branch.stop());
        const tick = setInterval(() => service.tick(), 200);
        cleanups.push(() => clearInterval(tick));
        const screen = (dn: string) => phones.get(branch.phone(dn).ip);
        let shown = 0;
        const showScreens = (dn: string): void => {
            const s = screen(dn);
            if (s === undefined) return;
            for (const x of s.screens.slice(shown))
                say(`${stamp()}    [${dn}'s screen] ${x.title ? `${x.title}: ` : ""}${x.text}`);
            shown = s.screens.length;
        };
        /** Ends the script where it stands once the demo is asked to stop (Ctrl-C). */
        const stopped = new Error("stopped");
        const check = (): void => {
            if (opts.signal?.aborted === true) throw stopped;
        };
        const until = async (cond: () => boolean, ms = 30_000): Promise<boolean> => {
            const end = Date.now() + ms;
            while (!cond()) {
                check();
                if (Date.now() > end) return false;
                await sleep(50, opts.signal);
                showScreens("1003");
            }
            return true;
        };
        const pause = async (ms: number): Promise<void> => {
            await sleep(ms, opts.signal);
            check();
        };

        try {
            await pause(500);
            say(`\n${stamp()}  1001 calls 1002, and 1002 answers.`);
            await branch.call("1001", "1002");
            await pause(500);
            await branch.answer("1002");
            await pause(1000);
            say(`${stamp()}  1003 calls 1002: busy.`);
            await branch.call("1003", "1002");
            await until(() => branch.phone("1003").tone === 0x23, 10_000);
            await pause(800);
            say(`${stamp()}  1003 presses the CallBack softkey.`);
            await branch.press("1003", "CallBack");
            await until(() => (screen("1003")?.screens ?? []).some((s) => s.text.includes("activated")));
            await pause(1000);
            say(`${stamp()}  1003 hangs up; 1002 talks on for a few seconds, then hangs up.`);
            await branch.hangUp("1003");
            await pause(4000);
            await branch.hangUp("1002");
            await until(() => (screen("1003")?.sounds.length ?? 0) > 0);
            say(`${stamp()}    [1003 plays ${screen("1003")?.sounds[0] ?? "the twinkle"}]`);
            await until(() => (screen("1003")?.screens ?? []).some((s) => s.text.includes("has become available")));
            await pause(1500);
            say(`${stamp()}  1003 presses Dial.`);
            await screen("1003")?.pressSoftKey("Dial");
            ok = await until(() => service.state.requests.length === 0, 15_000);
            await pause(500);
            closing = !opts.forever;
            say(ok ? "\nThe call-back was served end to end." : "\nThe demo did not complete: see the lines above.");
            if (opts.forever && opts.signal?.aborted !== true) {
                say("Still running (Ctrl-C to stop).");
                await new Promise<void>((resolve) => {
                    if (opts.signal === undefined) return;
                    opts.signal.addEventListener("abort", () => resolve(), { once: true });
                });
            }
        } catch (err) {
            if (err !== stopped) throw err;
            closing = true;
            ok = false;
            say("\nStopped.");
        }
    } finally {
        closing = true;
        // in reverse order of starting: the office, the capture, the service, the plane, the broker
        for (const stop of cleanups.reverse()) await Promise.resolve(stop()).catch(() => undefined);
        if (!keepState) rmSync(stateDir, { recursive: true, force: true });
    }
    // stopped before the call-back was served: 1; stopped later (--forever): 0
    return ok ? 0 : 1;
}

/**
 * The simulated CallManager's port and the phones' XSI port: random in 20000-32767, below Linux's ephemeral
 * range (no outgoing connection of the box can hold them), and free right now on loopback and on the
 * phones' addresses (another demo, or a test, may be running).
 */
async function demoPorts(): Promise<[number, number]> {
    const free = (host: string, port: number) =>
        new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once("error", () => resolve(false));
            s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
        });
    for (let i = 0; i < 100; i++) {
        const cm = 20_000 + Math.floor(Math.random() * 12_767);
        const hosts = ["127.0.0.1", "127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"];
        let ok = await free("127.0.0.1", cm);
        for (const h of hosts) ok &&= await free(h, cm + 1);
        if (ok) return [cm, cm + 1];
    }
    throw new Error("no free ports for the demo in 20000-32767");
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted === true) return resolve();
        const timer = setTimeout(done, ms);
        function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
    });
}
