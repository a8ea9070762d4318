/**
 * Helpers for simulator tests: message sequences as compact tokens, ordered-subsequence checks, and a
 * mirror capture decoded by the real pipeline (wire → reassembly → SCCP) that counts what it cannot read.
 */
import { ProtocolDispatcher } from "../../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../../src/protocol/records.js";
import { sccpRoute } from "../../../src/sccp/stream.js";
import type { HistoryEntry, SimPhone } from "../../../src/sim/phone.js";
import { type FrameOutput, frameSinkOutput } from "../../../src/sim/synth.js";
import { WirePipeline } from "../../../src/wire/pipeline.js";

/** A history entry as a token: "CallState:3", "StartTone:0x24", "SelectSoftKeys:8", "KeypadButton". */
export function token(e: Pick<HistoryEntry, "name" | "fields">): string {
    const f = e.fields;
    switch (e.name) {
        case "CallState":
            return `CallState:${f.callState}`;
        case "StartTone":
            return `StartTone:0x${Number(f.tone).toString(16)}`;
        case "SelectSoftKeys":
            return `SelectSoftKeys:${f.softKeySetIndex}`;
        case "SetRinger":
            return `SetRinger:${f.ringMode}`;
        case "SetLamp":
            return `SetLamp:${f.lampMode}`;
        case "CallInfo":
        case "CallInfoV2":
            return `CallInfo:${f.callType}`;
        default:
            return e.name;
    }
}

/** Tokens of a phone's history since index `from`, optionally one direction only, keepalives left out. */
export function tokens(p: SimPhone, dir?: "in" | "out", from = 0): string[] {
    return p.history
        .slice(from)
        .filter((e) => (dir === undefined || e.dir === dir) && e.name !== "KeepAliveReq" && e.name !== "KeepAliveAck")
        .map((e) => (dir === undefined ? `${e.dir === "in" ? "<" : ">"}${token(e)}` : token(e)));
}

/** Index in `actual` after matching `expected` in order (gaps allowed), or -1 with the first missing item. */
export function subsequence(actual: readonly string[], expected: readonly string[]): { ok: boolean; missing?: string } {
    let i = 0;
    for (const want of expected) {
        while (i < actual.length && actual[i] !== want) i++;
        if (i === actual.length) return { ok: false, missing: want };
        i++;
    }
    return { ok: true };
}

/** A mirror capture decoded on the fly by the real pipeline. */
export interface DecodingTap {
    output: FrameOutput;
    records: ProtocolRecord[];
    /** Messages decoded, and Gap / Resync / Unknown records. */
    counts: { messages: number; gaps: number; resyncs: number; unknown: number };
    finish(): void;
}

/** A FrameOutput feeding WirePipeline + ProtocolDispatcher + SCCP route on `port` (read at the first frame). */
export function decodingTap(port: number | (() => number), keep = false): DecodingTap {
    const records: ProtocolRecord[] = [];
    const counts = { messages: 0, gaps: 0, resyncs: 0, unknown: 0 };
    let pipeline: WirePipeline | null = null;
    let sink: FrameOutput | null = null;
    const output: FrameOutput = {
        writeFrom(ts, buf, start, end) {
            if (sink === null) {
                const p = typeof port === "number" ? port : port();
                const dispatcher = new ProtocolDispatcher([sccpRoute([p])], (r) => {
                    if (r.name === "Gap") counts.gaps++;
                    else if (r.name === "Resync") counts.resyncs++;
                    else if (r.name === "Unknown") counts.unknown++;
                    else counts.messages++;
                    if (keep) records.push(r);
                });
                pipeline = new WirePipeline(dispatcher, { serverPorts: [p] });
                sink = frameSinkOutput(pipeline.onFrame);
            }
            sink.writeFrom(ts, buf, start, end);
        },
    };
    return { output, records, counts, finish: () => pipeline?.finish() };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
    const { createServer } = await import("node:net");
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
}
