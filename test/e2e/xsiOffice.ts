/**
 * A simulated office whose phones answer XSI pushes, for tests that run the real `callbackd` as a separate
 * process (restart, redundancy): the phones' screens and sounds are recorded per phone.
 */
import { join } from "node:path";
import { Branch, type BranchPhoneSpec } from "../../src/sim/branch.js";
import type { ManualClock, RealClock } from "../../src/sim/clock.js";
import type { FrameOutput } from "../../src/sim/synth.js";
import { type XsiPhoneService, xsiPhoneFactory } from "../../src/sim/xsi/service.js";
import { PUSH_PASSWORD, PUSH_USER, XSI_PORT } from "./helpers.js";

const BOARD = join(import.meta.dirname, "../../board");

export interface XsiOffice {
    branch: Branch;
    xsi: Map<string, XsiPhoneService>;
    /** The texts of the screens pushed to the phone with this number, oldest first. */
    screens(dn: string): string[];
    /** The sounds played on the phone with this number, oldest first. */
    sounds(dn: string): string[];
}

/** Starts the office's CallManager on `cmPort` and its phones (XSI on XSI_PORT, the push user's credentials). */
export async function startXsiOffice(
    phones: BranchPhoneSpec[],
    clock: RealClock | ManualClock,
    cmPort: number,
    tap?: FrameOutput,
): Promise<XsiOffice> {
    const xsi = new Map<string, XsiPhoneService>();
    const factory = xsiPhoneFactory(
        { port: XSI_PORT, auth: { user: PUSH_USER, password: PUSH_PASSWORD }, clock, audio: { dir: BOARD } },
        xsi,
    );
    const branch = await Branch.start({
        phones: phones.map((p) => ({ ...p, xsi: factory })),
        clock,
        cm: { port: cmPort },
        ...(tap !== undefined ? { tap } : {}),
    });
    return {
        branch,
        xsi,
        screens: (dn) => (xsi.get(branch.phone(dn).ip)?.screens ?? []).map((s) => s.text),
        sounds: (dn) => xsi.get(branch.phone(dn).ip)?.sounds ?? [],
    };
}
