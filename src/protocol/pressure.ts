import type { ReassemblyStats } from "../wire/reassembly.js";
import type { ProtocolRecord } from "./records.js";

/**
 * Watches the reassembly counters and the protocol decoders' resyncs for signs of hostile or broken mirror
 * traffic (a flood of connections beyond the cap, out-of-order data beyond the memory cap, garbage on the
 * SCCP/QBE ports) and drives the `capture.reassembly-pressure` alarm: raised on the first window with
 * pressure, cleared after a window without (the alarm manager adds its hold-down on top).
 */

/** Id of the alarm this monitor drives. */
export const PRESSURE_ALARM = "capture.reassembly-pressure";

/** Options of ReassemblyPressure. */
export interface PressureOptions {
    /** Length of a check window (engine time), ms. */
    windowMs: number;
    /** Garbage bytes (skipped by resyncs) in one window that count as pressure. */
    garbageBytes: number;
}

export const defaultPressureOptions: PressureOptions = { windowMs: 10_000, garbageBytes: 4096 };

/** What happened in one window. */
export interface PressureWindow {
    evicted: number;
    memoryCapDrops: number;
    memoryCapGaps: number;
    garbageBytes: number;
}

/** Raises and clears the reassembly-pressure alarm from the counters, once per window. */
export class ReassemblyPressure {
    readonly #stats: () => Readonly<ReassemblyStats>;
    readonly #onAlarm: (action: "raise" | "clear", details: string) => void;
    readonly #opts: PressureOptions;
    #garbage = 0;
    #last: PressureWindow = { evicted: 0, memoryCapDrops: 0, memoryCapGaps: 0, garbageBytes: 0 };
    #nextCheckMs = Number.NEGATIVE_INFINITY;
    #active = false;
    /** Windows with pressure since construction. */
    windowsWithPressure = 0;

    constructor(
        stats: () => Readonly<ReassemblyStats>,
        onAlarm: (action: "raise" | "clear", details: string) => void,
        options: Partial<PressureOptions> = {},
    ) {
        this.#stats = stats;
        this.#onAlarm = onAlarm;
        this.#opts = { ...defaultPressureOptions, ...options };
    }

    /** A RecordSink: counts bytes skipped by SCCP/QBE resyncs and at stream ends (garbage on the protocol ports). */
    readonly onRecord = (r: ProtocolRecord): void => {
        if (r.name !== "Resync" && r.name !== "Gap") return;
        const n = r.fields.skippedBytes;
        if (typeof n === "number") this.#garbage += n;
    };

    /** True while the alarm is raised. */
    get active(): boolean {
        return this.#active;
    }

    /** Cheap unless a window ended: compares the counters with the previous window's. */
    check(nowMs: number): void {
        if (nowMs < this.#nextCheckMs) return;
        const first = this.#nextCheckMs === Number.NEGATIVE_INFINITY;
        this.#nextCheckMs = nowMs + this.#opts.windowMs;
        const s = this.#stats();
        const cur: PressureWindow = {
            evicted: s.connectionsClosed.evicted,
            memoryCapDrops: s.memoryCapDrops,
            memoryCapGaps: s.memoryCapGaps,
            garbageBytes: this.#garbage,
        };
        const last = this.#last;
        this.#last = cur;
        if (first) return;
        const d: PressureWindow = {
            evicted: cur.evicted - last.evicted,
            memoryCapDrops: cur.memoryCapDrops - last.memoryCapDrops,
            memoryCapGaps: cur.memoryCapGaps - last.memoryCapGaps,
            garbageBytes: cur.garbageBytes - last.garbageBytes,
        };
        const pressure =
            d.evicted > 0 || d.memoryCapDrops > 0 || d.memoryCapGaps > 0 || d.garbageBytes >= this.#opts.garbageBytes;
        if (pressure) this.windowsWithPressure++;
        if (pressure === this.#active) return;
        this.#active = pressure;
        if (pressure) this.#onAlarm("raise", describeWindow(d, this.#opts.windowMs));
        else this.#onAlarm("clear", `no reassembly pressure for ${this.#opts.windowMs / 1000} s`);
    }
}

/** Human text of a window's counters. */
export function describeWindow(d: PressureWindow, windowMs: number): string {
    const parts: string[] = [];
    if (d.evicted > 0) parts.push(`${d.evicted} connections evicted at the connection cap`);
    if (d.memoryCapDrops + d.memoryCapGaps > 0) {
        parts.push(`${d.memoryCapDrops} segments dropped and ${d.memoryCapGaps} holes given up at the memory cap`);
    }
    if (d.garbageBytes > 0) parts.push(`${d.garbageBytes} bytes of garbage skipped on the SCCP/QBE ports`);
    return `${parts.join("; ")} in the last ${windowMs / 1000} s`;
}
