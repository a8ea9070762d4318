import type { Writable } from "node:stream";
import { type CaptureFileStats, readCaptureFile } from "../capture/pcapFile.js";
import { UsageError } from "../errors.js";
import { ingestPipeline } from "../ingest/pipeline.js";
import { type ProtocolDecoderFactory, type ProtocolRoute, rawTcpDecoder } from "../protocol/dispatcher.js";
import type { ProtocolRecord } from "../protocol/records.js";
import type { ReassemblyOptions, ReassemblyStats } from "../wire/reassembly.js";
import type { WireCounters } from "../wire/types.js";
import { LineWriter } from "./output.js";

export type DecodeMode = "human" | "json" | "summary";

/** `--filter key=value[,value]`: values of one key are alternatives, different keys must all match. */
export type RecordFilter = ReadonlyMap<string, ReadonlySet<string>>;

const FILTER_KEYS = ["proto", "name", "host", "port", "id"] as const;

/** Parses repeated `--filter` arguments. */
export function parseFilters(args: readonly string[]): RecordFilter {
    const filter = new Map<string, Set<string>>();
    for (const arg of args) {
        const eq = arg.indexOf("=");
        const key = eq > 0 ? arg.slice(0, eq) : "";
        if (!(FILTER_KEYS as readonly string[]).includes(key) || eq === arg.length - 1) {
            throw new UsageError(
                "USAGE_FILTER",
                `bad --filter "${arg}": expected key=value with key one of ${FILTER_KEYS.join(", ")}`,
            );
        }
        let set = filter.get(key);
        if (set === undefined) {
            set = new Set();
            filter.set(key, set);
        }
        for (const v of arg.slice(eq + 1).split(",")) if (v !== "") set.add(key === "proto" ? v.toLowerCase() : v);
    }
    return filter;
}

function splitEndpoint(ep: string): [string, string] {
    const i = ep.lastIndexOf(":");
    const host = ep.slice(0, i);
    return [host.startsWith("[") ? host.slice(1, -1) : host, ep.slice(i + 1)];
}

/** True when the record passes every filter key. */
export function matches(filter: RecordFilter, r: ProtocolRecord): boolean {
    for (const [key, values] of filter) {
        switch (key) {
            case "proto":
                if (!values.has(r.proto)) return false;
                break;
            case "name":
                if (!values.has(r.name)) return false;
                break;
            case "id":
                if (
                    r.id === undefined ||
                    !(values.has(String(r.id)) || values.has(`0x${r.id.toString(16).padStart(4, "0")}`))
                )
                    return false;
                break;
            case "host":
            case "port": {
                const [sh, sp] = splitEndpoint(r.src);
                const [dh, dp] = splitEndpoint(r.dst);
                const ok = key === "host" ? values.has(sh) || values.has(dh) : values.has(sp) || values.has(dp);
                if (!ok) return false;
                break;
            }
        }
    }
    return true;
}

function fieldText(v: unknown): string {
    if (typeof v === "string") return /^[\x21-\x7e]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return JSON.stringify(v);
}

/** One compact human line per record, in the spirit of a tshark summary line. */
export function formatHuman(r: ProtocolRecord, t0: number): string {
    const parts = [(r.t - t0).toFixed(6).padStart(12), r.src, "->", r.dst, r.proto.toUpperCase(), r.name];
    for (const [k, v] of Object.entries(r.fields)) {
        if (k === "hex") continue;
        parts.push(`${k}=${fieldText(v)}`);
    }
    return parts.join(" ");
}

export interface DecodeSummary {
    input: string;
    capture: CaptureFileStats;
    wire: WireCounters;
    reassembly: ReassemblyStats;
    /** Records per protocol and name, e.g. { sccp: { CallState: 12 } }. */
    messages: Record<string, Record<string, number>>;
    gaps: number;
    resyncs: number;
    elapsedMs: number;
}

export interface DecodeOptions {
    input: string;
    mode: DecodeMode;
    /** With mode "summary": print the summary as one JSON object. */
    json?: boolean;
    filter?: RecordFilter;
    out: Writable;
    /** Protocol decoders by server port; streams on other ports are printed as raw TCP chunks. */
    routes?: readonly ProtocolRoute[];
    fallback?: ProtocolDecoderFactory | null;
    reassembly?: Partial<ReassemblyOptions>;
    /** Test hook: read from this stream instead of the file. */
    inputStream?: NodeJS.ReadableStream;
}

/** Runs capture → wire → reassembly → protocol on a file (or stdin) and prints what it sees. */
export async function runDecode(opts: DecodeOptions): Promise<DecodeSummary> {
    const started = process.hrtime.bigint();
    const writer = new LineWriter(opts.out);
    const filter = opts.filter ?? new Map();
    const messages: Record<string, Record<string, number>> = {};
    let gaps = 0;
    let resyncs = 0;
    let t0 = Number.NaN;
    const mode = opts.mode;
    const emit = (r: ProtocolRecord): void => {
        if (filter.size > 0 && !matches(filter, r)) return;
        if (r.name === "Gap") gaps++;
        else if (r.name === "Resync") resyncs++;
        if (mode === "summary") {
            const byName = messages[r.proto] ?? {};
            messages[r.proto] = byName;
            byName[r.name] = (byName[r.name] ?? 0) + 1;
        } else if (mode === "json") {
            writer.line(JSON.stringify(r));
        } else {
            if (Number.isNaN(t0)) t0 = r.t;
            writer.line(formatHuman(r, t0));
        }
    };
    const pipeline = ingestPipeline({
        routes: opts.routes ?? [],
        emit,
        fallback: opts.fallback === undefined ? rawTcpDecoder : opts.fallback,
        ...(opts.reassembly !== undefined ? { reassembly: opts.reassembly } : {}),
    });
    const readOpts =
        opts.inputStream === undefined ? {} : { input: opts.inputStream as import("node:stream").Readable };
    const capture = await readCaptureFile(opts.input, pipeline.onFrame, readOpts);
    pipeline.finish();
    const summary: DecodeSummary = {
        input: opts.input === "-" ? "stdin" : opts.input,
        capture,
        wire: { ...pipeline.counters },
        reassembly: structuredClone(pipeline.reassembler.stats) as ReassemblyStats,
        messages,
        gaps,
        resyncs,
        elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
    };
    if (mode === "summary") {
        if (opts.json) writer.line(JSON.stringify(summary));
        else for (const line of formatSummary(summary)) writer.line(line);
    }
    await writer.end();
    return summary;
}

/** The human form of `--summary`. */
export function formatSummary(s: DecodeSummary): string[] {
    const lines: string[] = [];
    const c = s.capture;
    lines.push(`${s.input}: ${c.format ?? "unknown"}, ${c.frames} packets, ${c.bytes} bytes read`);
    if (c.truncatedTail) lines.push("  the file is cut short in the middle of a packet");
    if (c.corrupt) lines.push(`  corrupt at byte ${c.corruptOffset}: ${c.corruptReason}`);
    const w = s.wire;
    lines.push(
        `wire: ${w.tcp} TCP segments; skipped ${w.nonIp} non-IP, ${w.nonTcp} non-TCP, ${w.ipFragments} IP fragments, ` +
            `${w.malformed} malformed, ${w.unsupportedLinkType} unsupported link type`,
    );
    const r = s.reassembly;
    lines.push(
        `tcp: ${r.connectionsOpened} connections (${r.midstreamJoins} joined mid-stream), ${r.bytesDelivered} bytes in order, ` +
            `${r.duplicateBytes} duplicate, ${r.gaps} gaps (${r.missedBytes} bytes missed)`,
    );
    for (const proto of Object.keys(s.messages).sort()) {
        const byName = s.messages[proto]!;
        const total = Object.values(byName).reduce((a, b) => a + b, 0);
        lines.push(`${proto}: ${total} records`);
        for (const [name, n] of Object.entries(byName).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
            lines.push(`  ${String(n).padStart(10)}  ${name}`);
        }
    }
    lines.push(`gaps ${s.gaps}, resyncs ${s.resyncs}, ${s.elapsedMs.toFixed(1)} ms`);
    return lines;
}
