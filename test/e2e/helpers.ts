import { join } from "node:path";
import type { EngineEffect } from "../../src/callback/types.js";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { Branch, type BranchPhoneSpec } from "../../src/sim/branch.js";
import { ManualClock, RealClock } from "../../src/sim/clock.js";
import { frameSinkOutput } from "../../src/sim/synth.js";
import type { SimPhoneView } from "../../src/sim/types.js";
import { XsiPhoneService } from "../../src/sim/xsi/service.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { captureLoopback } from "../helpers/live.js";

export const PUSH_USER = "cbpush";
export const PUSH_PASSWORD = "pa55-Word!";
const board = join(import.meta.dirname, "../../board");

/** A free-ish port for every phone's XSI service (each phone has its own loopback address). */
export const XSI_PORT = 20000 + (process.pid % 20000);
/** The simulated CallManager's SCCP port (the service is told to decode it as SCCP). */
let cmPort = 40000 + (process.pid % 10000) * 2;

export interface Office {
    branch: Branch;
    clock: ManualClock | RealClock;
    service: CallbackService;
    fs: MemoryFlashFs;
    xsi: Map<string, XsiPhoneService>;
    seen: Array<ClusterEvent | EngineEffect>;
    /** Moves simulated time on in small steps, letting sockets and HTTP settle, until `cond` holds. */
    until(cond: () => boolean, what: string, maxMs?: number): Promise<void>;
    screenTexts(dn: string): string[];
    stop(): Promise<void>;
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
): Promise<Office> {
    configureLogging({ level: "silent" });
    const clock = live ? new RealClock() : new ManualClock();
    const xsi = new Map<string, XsiPhoneService>();
    const config = loadConfig({
        env: {},
        overrides: {
            http: { listen: "127.0.0.1:0" },
            capture: { sccpPorts: [++cmPort] },
            phones: {
                pushUser: PUSH_USER,
                pushPassword: PUSH_PASSWORD,
                pushUrl: `http://{ip}:${XSI_PORT}/CGI/Execute`,
            },
            log: { level: "silent" },
            ...overrides,
        },
    });
    const seen: Array<ClusterEvent | EngineEffect> = [];
    const service = new CallbackService({
        config,
        fs,
        timeMode: live ? "live" : "capture",
        onEvent: (e) => seen.push(e),
    });
    await service.start();
    const factory = (v: SimPhoneView) => {
        const s = new XsiPhoneService({
            host: v.ip,
            port: XSI_PORT,
            phone: v,
            auth: { user: PUSH_USER, password: PUSH_PASSWORD },
            clock,
            audio: { dir: board },
        });
        xsi.set(v.ip, s);
        return s;
    };
    const capture = live ? await captureLoopback(cmPort, service.onFrame) : null;
    const branch = await Branch.start({
        phones: phones.map((p) => ({ ...p, xsi: factory })),
        clock,
        cm: { port: cmPort },
        ...(live ? {} : { tap: frameSinkOutput(service.onFrame) }),
    });
    const office: Office = {
        branch,
        clock,
        service,
        fs,
        xsi,
        seen,
        async until(cond, what, maxMs = 120_000) {
            const end = clock.now() + maxMs;
            const wallEnd = Date.now() + 20_000;
            while (!cond()) {
                if (clock.now() > end || Date.now() > wallEnd) throw new Error(`timed out waiting for ${what}`);
                if (live) await new Promise((r) => setTimeout(r, 20));
                else await branch.advance(100);
                service.tick();
                await new Promise((r) => setTimeout(r, 2));
            }
        },
        screenTexts(dn) {
            const phone = branch.phone(dn);
            return (xsi.get(phone.ip)?.screens ?? []).map((s) => s.text);
        },
        async stop() {
            await branch.stop();
            capture?.stop();
            await service.stop();
        },
    };
    return office;
}
