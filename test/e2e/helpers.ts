import { join } from "node:path";
import type { EngineEffect } from "../../src/callback/types.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { Branch, type BranchPhoneSpec, phoneAddress } from "../../src/sim/branch.js";
import { ManualClock, RealClock } from "../../src/sim/clock.js";
import { SimCtiApp } from "../../src/sim/ctiApp.js";
import { SimCtiManager } from "../../src/sim/ctiManager.js";
import { type FrameOutput, frameSinkOutput } from "../../src/sim/synth.js";
import type { SimTimer } from "../../src/sim/types.js";
import { type XsiPhoneService, xsiPhoneFactory } from "../../src/sim/xsi/service.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import type { Clock } from "../../src/util/clock.js";
import { captureLoopback } from "../helpers/live.js";
import { testPort } from "../helpers/ports.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS } from "../helpers/wait.js";

export const PUSH_USER = "cbpush";
export const PUSH_PASSWORD = "pa55-Word!";
const board = join(import.meta.dirname, "../../board");

/**
 * The port of every phone's XSI service in this test process (each phone has its own loopback address,
 * 127.0.1.N, the same N in every test file): one per process, free on the first phones' addresses, outside
 * the ephemeral range so no phone's own outgoing connection can hold it (see test/helpers/ports.ts).
 */
export const XSI_PORT = await testPort(["127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"]);
/** A TCP port free on loopback right now (test files run in parallel: never a fixed one). */
const freePort = (): Promise<number> => testPort();

export interface Office {
    branch: Branch;
    clock: ManualClock | RealClock;
    /** The running service (a new one after `restartService`). */
    service: CallbackService;
    fs: MemoryFlashFs;
    xsi: Map<string, XsiPhoneService>;
    seen: Array<ClusterEvent | EngineEffect>;
    /** Moves simulated time on in small steps, letting sockets and HTTP settle, until `cond` holds. */
    until(cond: () => boolean, what: string, maxMs?: number): Promise<void>;
    screenTexts(dn: string): string[];
    /** Mirror mode: whether the simulator's frames reach the service (false: the mirror port is "unplugged"). */
    mirror: { on: boolean };
    /**
     * Restarts the Call Back service on the same flash while the office runs on: "stop" is an orderly stop
     * (SIGTERM: final snapshot), "kill" a power cut or SIGKILL (only what was already durable survives).
     * `seen` is emptied: it holds the new service's events.
     */
    restartService(how: "stop" | "kill"): Promise<void>;
    /** With `extras.cti`: the office's CTIManager and its CTI application (opened before the office returns). */
    cti: { manager: SimCtiManager; app: SimCtiApp; newApp(): SimCtiApp; apps: SimCtiApp[] } | null;
    stop(): Promise<void>;
}

/** Extra options of `startOffice`. */
export interface OfficeExtras {
    /** Mirror mode: also copy every frame the service sees here (e.g. a PcapFileWriter to replay later). */
    tee?: FrameOutput;
    /** Mirror mode: start with the mirror unplugged (`office.mirror.on = true` plugs it in). */
    mirrorOff?: boolean;
    /**
     * Mirror mode: the service runs "live" on the simulator's clock (its deadlines are timers of that clock)
     * instead of on the capture's clock (where deadlines fire with the next frame after them).
     */
    simClock?: boolean;
    /** Observes the service's alarms. */
    onAlarm?: (id: string, action: "raise" | "clear", details: string) => void;
    /** Mirror mode: phones (by number) whose SCCP traffic never reaches the mirror port (another site's). */
    unmirrored?: readonly string[];
    /**
     * A CTIManager in the office (on a free port the service decodes as QBE) and a CTI application that
     * monitors the lines `lines` (each on the device that has it), asking for `heartbeatS` (default 30).
     */
    cti?: { lines: readonly string[]; heartbeatS?: number };
}

/**
 * A branch office on loopback (simulated CallManager and phones over real TCP, each phone with its XSI
 * service on its own address) and the Call Back service fed with what the simulator sends, on the
 * simulator's clock: a minute of office life runs in well under a second.
 */
export async function startOffice(
    phones: BranchPhoneSpec[],
    overrides: Record<string, unknown> = {},
    fs: MemoryFlashFs = new MemoryFlashFs(),
    /** Capture the office live on lo through libpcap (wall clock) instead of mirroring its frames. */
    live = false,
    extras: OfficeExtras = {},
): Promise<Office> {
    configureLogging({ level: "silent" });
    const clock = live ? new RealClock() : new ManualClock();
    // The simulated CallManager's SCCP port (the service is told to decode it as SCCP).
    const cmPort = await freePort();
    const ctiPort = extras.cti !== undefined ? await freePort() : null;
    const xsi = new Map<string, XsiPhoneService>();
    const config = loadConfig({
        env: {},
        overrides: {
            http: { listen: "127.0.0.1:0" },
            capture: { sccpPorts: [cmPort] },
            phones: {
                pushUser: PUSH_USER,
                pushPassword: PUSH_PASSWORD,
                pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute`,
            },
            log: { level: "silent" },
            ...overrides,
            // the CTIManager's port, decoded as QBE (merged with what the test overrides)
            ...(ctiPort !== null
                ? {
                      cti: { ...(overrides.cti as object | undefined), port: ctiPort },
                      capture: {
                          sccpPorts: [cmPort],
                          ...(overrides.capture as object | undefined),
                          qbePorts: [ctiPort],
                      },
                  }
                : {}),
        },
    });
    const seen: Array<ClusterEvent | EngineEffect> = [];
    const sim = clock;
    const onSimClock: Clock = {
        now: () => sim.now(),
        setTimeout: (fn, ms) => sim.setTimer(ms, fn),
        clearTimeout: (h) => sim.clearTimer(h as SimTimer),
    };
    const newService = () =>
        new CallbackService({
            config,
            fs,
            timeMode: live || extras.simClock === true ? "live" : "capture",
            ...(!live && extras.simClock === true ? { clock: onSimClock } : {}),
            onEvent: (e) => seen.push(e),
            ...(extras.onAlarm !== undefined ? { onAlarm: extras.onAlarm } : {}),
        });
    let running = newService();
    await running.start();
    const factory = xsiPhoneFactory(
        { port: XSI_PORT, auth: { user: PUSH_USER, password: PUSH_PASSWORD }, clock, audio: { dir: board } },
        xsi,
    );
    // frames go to whichever service runs now (restartService replaces it)
    const onFrame = (frame: Parameters<CallbackService["onFrame"]>[0]) => running.onFrame(frame);
    const capture = live ? await captureLoopback(cmPort, onFrame) : null;
    const mirror = { on: extras.mirrorOff !== true };
    const sink = frameSinkOutput(onFrame);
    const tee = extras.tee;
    // the addresses of phones on another site: their frames (Ethernet + IPv4 from the synthesiser) are dropped
    const hidden = new Set(
        phones.flatMap((p, i) => {
            const dns = typeof p.dn === "string" ? [p.dn] : [...(p.dn ?? [])];
            return dns.some((dn) => extras.unmirrored?.includes(dn)) ? [p.ip ?? phoneAddress(i)] : [];
        }),
    );
    const ipAt = (buf: Uint8Array, o: number): string => `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
    const tap: FrameOutput = {
        writeFrom(ts, buf, start, end) {
            if (!mirror.on) return;
            if (hidden.size > 0 && (hidden.has(ipAt(buf, start + 26)) || hidden.has(ipAt(buf, start + 30)))) return;
            tee?.writeFrom(ts, buf, start, end);
            sink.writeFrom(ts, buf, start, end);
        },
    };
    let branch: Branch;
    try {
        branch = await Branch.start({
            phones: phones.map((p) => ({ ...p, xsi: factory })),
            clock,
            cm: { port: cmPort },
            ...(live ? {} : { tap }),
        });
    } catch (err) {
        // e.g. XSI_XMLLINT_MISSING: nothing started here may outlive the failure (a listening service keeps
        // the test process alive until tap's timeout)
        capture?.stop();
        await running.stop();
        throw err;
    }
    let cti: Office["cti"] = null;
    if (extras.cti !== undefined && ctiPort !== null) {
        const spec = extras.cti;
        const manager = new SimCtiManager({ cm: branch.cm, port: ctiPort });
        await manager.start();
        const apps: SimCtiApp[] = [];
        const newApp = (): SimCtiApp => {
            const a = new SimCtiApp({
                network: branch.network,
                clock: branch.clock,
                host: "127.0.0.1",
                port: ctiPort,
                localAddress: "127.0.0.10",
                ...(spec.heartbeatS !== undefined ? { heartbeatS: spec.heartbeatS } : {}),
                devices: spec.lines.map((dn) => ({ deviceName: branch.phone(dn).deviceName, lines: [dn] })),
            });
            apps.push(a);
            return a;
        };
        const app = newApp();
        await branch.drive(app.start());
        cti = { manager, app, newApp, apps };
    }
    const office: Office = {
        branch,
        clock,
        get service() {
            return running;
        },
        fs,
        xsi,
        seen,
        mirror,
        cti,
        async until(cond, what, maxMs = 120_000) {
            const end = clock.now() + maxMs;
            const wallEnd = Date.now() + HANG_MS;
            while (!cond()) {
                if (clock.now() > end || Date.now() > wallEnd) throw new Error(`timed out waiting for ${what}`);
                if (live) await new Promise((r) => setTimeout(r, 20));
                else await branch.advance(100);
                running.tick();
                await new Promise((r) => setTimeout(r, 2));
            }
        },
        screenTexts(dn) {
            const phone = branch.phone(dn);
            return (xsi.get(phone.ip)?.screens ?? []).map((s) => s.text);
        },
        async restartService(how) {
            const old = running;
            if (how === "kill") {
                // the final snapshot of an orderly stop must not land: a kill leaves only what was durable
                fs.faults.writeDurable = "EIO";
                await old.stop();
                fs.crash();
                delete fs.faults.writeDurable;
            } else {
                await old.stop();
            }
            seen.length = 0;
            running = newService();
            await running.start();
        },
        async stop() {
            if (cti !== null) {
                for (const a of cti.apps) a.abort();
                await cti.manager.stop();
            }
            await branch.stop();
            capture?.stop();
            await running.stop();
        },
    };
    return office;
}

/** The text of the activation screen for a call-back on `dn` (docs/SEED.md). */
export const activated = (dn: string) =>
    `Call Back is activated on ${dn}. Press Cancel to deactivate. Press Exit to quit this screen.`;

/** Whether `caller` was shown that `dn` has become available. */
export const available = (o: Office, caller: string, dn: string) =>
    o.screenTexts(caller).some((s) => s.startsWith(`${dn} has become available`));

/** `caller` calls `callee`, busy on a call with `other`; waits for the busy tone and presses CallBack. */
export async function busyPress(o: Office, caller: string, callee: string, other: string): Promise<void> {
    await o.branch.call(other, callee);
    await o.branch.answer(callee);
    await o.branch.call(caller, callee);
    await o.until(() => o.branch.phone(caller).tone === 0x23, `${caller} hears busy`);
    await o.branch.press(caller, "CallBack");
}

/** Skip reason unless the simulated office can start here: its XSI phones check every object with xmllint. */
export function needOffice(): string | false {
    return needTool("xmllint", "libxml2-utils");
}
