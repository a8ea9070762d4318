import { createReadStream, mkdirSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { EngineEffect } from "../callback/types.js";
import type { CapturedFrame } from "../capture/frame.js";
import { CaptureFileParser, type CaptureFileStats } from "../capture/pcapFile.js";
import type { UnlearnedPhone } from "../cluster/knowledge.js";
import type { ClusterEvent } from "../cluster/types.js";
import type { Config } from "../config/types.js";
import { CallbackdError, CaptureError, UsageError } from "../errors.js";
import { configureLogging } from "../logging/logger.js";
import { CallbackService } from "../service/callbackService.js";
import { MemoryFlashFs, NodeFlashFs } from "../store/flashFs.js";

/** How a replay runs. */
export interface ReplayOptions {
    /** The capture file (pcap or pcapng). */
    file: string;
    /** Wall-clock pacing: N× real time; null = as fast as possible. */
    speed: number | null;
    /** Seconds the phone-facing HTTP service stays up after the capture ends. */
    lingerS: number;
    out: Writable;
    /** Ends the replay (and the linger) early. */
    signal?: AbortSignal;
    /** A state directory to restore from and save to (default: state in memory only). */
    stateDir?: string;
    /** Where the capture comes from when `file` is "-" (default: process.stdin). */
    input?: Readable;
}

/** What a replay did. */
export interface ReplaySummary {
    /** Frames delivered to the service. */
    frames: number;
    /** Requests that became active (distinct ids). */
    requests: number;
    /** Requests whose caller was notified (distinct ids). */
    notified: number;
    /** Ended requests by reason. */
    ended: Record<string, number>;
    /** Requests still open when the capture ended. */
    open: number;
    pushOk: number;
    pushFailed: number;
    /** Capture time covered, seconds. */
    captureSeconds: number;
    /** Phones with traffic that lacked the CallBack key or their numbers at the end, and what each lacked. */
    unlearned: UnlearnedPhone[];
    /** Alarms active at the end (id: details). */
    alarms: string[];
}

/** Parses a --speed value: a positive finite number. */
export function parseSpeed(text: string): number {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0)
        throw new UsageError("USAGE", `--speed must be a positive number, not "${text}"`);
    return n;
}

/** Parses a --linger value: seconds, zero or more. */
export function parseLinger(text: string): number {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new UsageError("USAGE", `--linger must be seconds >= 0, not "${text}"`);
    return n;
}

/**
 * Runs the Call Back service on a capture file with capture time as the engine clock, then keeps the
 * phone-facing HTTP service up for `lingerS`. The state lives in memory unless `stateDir` is given (it is
 * restored from there and saved there: the box's own state directory is only touched when named).
 * Resolves with the summary (also printed to `out`).
 */
export async function runReplay(config: Config, opts: ReplayOptions): Promise<ReplaySummary> {
    configureLogging({ level: config.log.level, modules: config.log.modules, pretty: config.log.pretty });
    const requests = new Set<string>();
    const notified = new Set<string>();
    const ended: Record<string, number> = {};
    const onEvent = (e: ClusterEvent | EngineEffect): void => {
        if (e.type === "RequestChanged") {
            requests.add(e.id);
            if (e.change === "notified") notified.add(e.id);
        } else if (e.type === "RequestEnded") {
            requests.add(e.id);
            ended[e.reason] = (ended[e.reason] ?? 0) + 1;
        }
    };
    const alarms = new Map<string, string>();
    if (opts.stateDir !== undefined) mkdirSync(opts.stateDir, { recursive: true, mode: 0o750 });
    const service = new CallbackService({
        config,
        fs: opts.stateDir === undefined ? new MemoryFlashFs() : new NodeFlashFs(opts.stateDir),
        timeMode: "capture",
        onEvent,
        onAlarm: (id, action, details) => {
            if (action === "raise") alarms.set(id, details);
            else alarms.delete(id);
        },
    });
    let first = Number.NaN;
    let last = Number.NaN;
    let delivered = 0;
    const sink = (frame: CapturedFrame): void => {
        delivered++;
        if (Number.isNaN(first)) first = frame.ts;
        last = frame.ts;
        service.onFrame(frame);
    };
    let stats: CaptureFileStats;
    try {
        // The phone-facing port opens only once the input is known to be a capture (a typo or a text file
        // fails before anything listens).
        stats = await replayFrames(opts.file, opts.speed, sink, opts.signal, {
            ...(opts.input !== undefined ? { input: opts.input } : {}),
            ready: async () => {
                await service.start();
            },
            settled: () => service.durableWritesDone(),
        });
        service.pipeline.finish();
        service.tick();
        if (stats.corrupt) opts.out.write(`warning: capture is corrupt: ${stats.corruptReason ?? "unknown"}\n`);
        if (stats.truncatedTail) opts.out.write("warning: capture is cut short in the middle of a packet\n");
        // Let in-flight pushes and snapshot writes settle before counting: a phone answers a push with a
        // Play: only after the clip, so a fixed pause undercounted (a slower phone, a loaded machine).
        await settled(service, config, opts.signal);
        if (opts.lingerS > 0 && opts.signal?.aborted !== true) {
            opts.out.write(
                `capture replayed (${delivered} frames); phone service stays up at ${service.http.baseUrl} for ${opts.lingerS} s\n`,
            );
            await sleep(opts.lingerS * 1000, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => {});
        }
    } finally {
        await service.stop();
    }
    const summary: ReplaySummary = {
        frames: delivered,
        requests: requests.size,
        notified: notified.size,
        ended,
        open: service.state.requests.length,
        pushOk: service.counters.pushOk,
        pushFailed: service.counters.pushFailed,
        captureSeconds: Number.isNaN(first) ? 0 : Math.round((last - first) * 1000) / 1000,
        unlearned: service.model.unlearnedPhones(),
        alarms: [...alarms].map(([id, details]) => `${id}: ${details}`),
    };
    opts.out.write(formatSummary(summary));
    return summary;
}

/**
 * Resolves once nothing is half done in the service (no push in flight, no press waiting for durability),
 * at the latest after the longest a push may take (three attempts at the Synchronous Request Time Out plus
 * backoff), or when `signal` aborts.
 */
async function settled(service: CallbackService, config: Config, signal: AbortSignal | undefined): Promise<void> {
    const end = performance.now() + 3 * config.service.synchronousRequestTimeoutMs + 5000;
    while (!service.atSafePoint() && signal?.aborted !== true && performance.now() < end) {
        await sleep(20);
    }
}

/** The summary as printed at the end of a replay. */
export function formatSummary(s: ReplaySummary): string {
    const reasons = Object.entries(s.ended)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, n]) => `${r}=${n}`)
        .join(" ");
    return [
        `frames: ${s.frames} (${s.captureSeconds} s of capture)`,
        `requests made: ${s.requests}`,
        `notified: ${s.notified}`,
        `ended: ${reasons === "" ? "none" : reasons}`,
        `still open: ${s.open}`,
        `pushes: ${s.pushOk} ok, ${s.pushFailed} failed`,
        `phones not learned: ${s.unlearned.length === 0 ? "none" : s.unlearned.length}`,
        ...s.unlearned.map(
            (p) =>
                `  ${p.name ?? p.device}${p.ip !== null && p.name !== null ? ` (${p.ip})` : ""} lacks ${p.missing.join(" and ")}`,
        ),
        `alarms: ${s.alarms.length === 0 ? "none" : s.alarms.length}`,
        ...s.alarms.map((a) => `  ${a}`),
        "",
    ].join("\n");
}

/** Capture time (s) after which an unpaced replay yields to the event loop. */
const YIELD_EVERY_S = 0.02;

/** The clock a paced replay waits on (the wall's; tests pass a manual one). */
export interface PaceClock {
    /** Milliseconds, monotonic. */
    now(): number;
    /** Resolves after `ms`, or early when `signal` aborts (never rejects). */
    sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

const wallPace: PaceClock = {
    now: () => performance.now(),
    sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}).catch(() => {}),
};

/**
 * Streams the file, delivering each frame when the wall clock reaches its capture offset / speed, or
 * (speed null) at once but yielding to the event loop as capture time moves on, so snapshot writes and
 * push answers land at about the capture time they belong to instead of after the whole file.
 */
export async function replayFrames(
    file: string,
    speed: number | null,
    sink: (frame: CapturedFrame) => void,
    signal: AbortSignal | undefined,
    opts: {
        /** The capture when `file` is "-" (default process.stdin). */
        input?: Readable;
        /** Runs once the input is known to be a pcap or pcapng capture, before the first frame. */
        ready?: () => Promise<void>;
        /** After each frame: what to wait for before the next (the service's durable writes), or null. */
        settled?: () => Promise<void> | null;
        /** The clock a paced replay waits on (default the wall's). */
        clock?: PaceClock;
    } = {},
): Promise<CaptureFileStats> {
    const clock = opts.clock ?? wallPace;
    const stdin = file === "-";
    const parser = new CaptureFileParser({ name: stdin ? "stdin" : file });
    let ready = opts.ready;
    const whenKnown = async (): Promise<void> => {
        if (ready === undefined) return;
        const r = ready;
        ready = undefined;
        await r();
    };
    const pending: CapturedFrame[] = [];
    // Frames may view the parser's buffer: keep copies until they are delivered.
    const collect = (f: CapturedFrame): void => {
        pending.push({
            ts: f.ts,
            linkType: f.linkType,
            bytes: f.bytes.slice(),
            origLen: f.origLen,
            ifIndex: f.ifIndex,
        });
    };
    let startWall = 0;
    let startTs = Number.NaN;
    let yieldedTs = Number.NEGATIVE_INFINITY;
    const stream = stdin ? (opts.input ?? process.stdin) : createReadStream(file, { highWaterMark: 1 << 16 });
    try {
        for await (const chunk of stream) {
            parser.push(chunk as Buffer, collect);
            if (parser.stats().format === null && !parser.done) continue;
            await whenKnown();
            for (const f of pending) {
                if (signal?.aborted) {
                    parser.stop();
                    return parser.stats();
                }
                if (Number.isNaN(startTs)) {
                    startTs = f.ts;
                    startWall = clock.now();
                }
                if (speed === null) {
                    if (f.ts - yieldedTs >= YIELD_EVERY_S) {
                        yieldedTs = f.ts;
                        await new Promise((r) => setImmediate(r));
                    }
                } else {
                    const due = startWall + ((f.ts - startTs) * 1000) / speed - clock.now();
                    if (due > 1) await clock.sleep(due, signal);
                }
                sink(f);
                const wait = opts.settled?.() ?? null;
                if (wait !== null) await wait;
            }
            pending.length = 0;
            if (parser.done) break;
        }
    } catch (err) {
        if (err instanceof CallbackdError) throw err; // the capture's own, or the start's (HTTP_LISTEN)
        throw new CaptureError("CAPTURE_OPEN", `cannot read capture ${file}: ${(err as Error).message}`, { file });
    } finally {
        if (!stdin) stream.destroy();
    }
    const stats = parser.end(); // throws CAPTURE_FORMAT for an input too short to be a capture
    await whenKnown();
    return stats;
}
