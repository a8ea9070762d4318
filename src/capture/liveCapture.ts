import { type ChildProcess, fork } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CaptureError } from "../errors.js";
import type { FrameSink } from "./frame.js";
import type { PcapChildMessage, PcapChildOptions } from "./pcapChild.js";
import { CaptureFileParser } from "./pcapFile.js";

/**
 * Live capture from a named interface.
 *
 * libpcap runs in a child process (see pcapChild.ts) that streams pcap records to us; we parse them with
 * the same reader as capture files. When the interface is missing or goes away, the child exits and we
 * start a new one every `retryMs` (the Connection Retry Time Out service parameter).
 */
export interface LiveCaptureOptions {
    interface: string;
    /** BPF filter, e.g. "tcp port 2000 or tcp port 2748". */
    filter: string;
    snapLength: number;
    bufferSizeBytes: number;
    promiscuous: boolean;
    /** Delay before reopening after a failure. */
    retryMs: number;
    statsIntervalMs?: number;
}

export type LiveCaptureState = "starting" | "open" | "retrying" | "stopped";

export interface LiveCaptureStats {
    state: LiveCaptureState;
    interface: string;
    linkType: number | null;
    /** Times the interface was opened successfully. */
    opens: number;
    /** Times opening failed or the interface was lost. */
    failures: number;
    /** Packets libpcap received / dropped (buffer full) / the interface dropped, summed across reopens. */
    received: number;
    dropped: number;
    ifDropped: number;
    /** Frames handed to the sink. */
    frames: number;
    lastError: { code: string; message: string } | null;
}

export interface LiveCaptureEvents {
    /** State changes with the error that caused them (for alarms). */
    onState?: (state: LiveCaptureState, error: { code: string; message: string } | null) => void;
}

/** Node flags without module loaders (--import, --loader, --require and their values). */
function withoutLoaders(argv: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i] as string;
        if (/^--(import|loader|experimental-loader|require)$|^-r$/.test(a)) i++;
        else if (!/^--(import|loader|experimental-loader|require)=/.test(a)) out.push(a);
    }
    return out;
}

/** The capture child's script and the node flags to start it with. */
function childProgram(): { script: string; execArgv: string[] } {
    // Running from dist/ the child is the .js file beside this one.
    const js = fileURLToPath(new URL("./pcapChild.js", import.meta.url));
    if (existsSync(js)) return { script: js, execArgv: process.execArgv };
    // Running the TypeScript sources under a loader (tests): the compiled twin in dist/ when it is at least
    // as new as the source. The child uses Node's built-ins only, so it runs without the test runner's
    // loaders, which cost seconds of CPU at every (re)start on a busy machine. Else the .ts twin, with the
    // loaders in execArgv to run it.
    const ts = fileURLToPath(new URL("./pcapChild.ts", import.meta.url));
    const built = fileURLToPath(new URL("../../dist/capture/pcapChild.js", import.meta.url));
    try {
        if (statSync(built).mtimeMs >= statSync(ts).mtimeMs) {
            return { script: built, execArgv: withoutLoaders(process.execArgv) };
        }
    } catch {
        // not built
    }
    return { script: ts, execArgv: process.execArgv };
}

export class LiveCapture {
    readonly #opts: LiveCaptureOptions;
    readonly #sink: FrameSink;
    readonly #events: LiveCaptureEvents;
    #child: ChildProcess | null = null;
    #retryTimer: NodeJS.Timeout | null = null;
    /** Stats of the current child (libpcap counts restart with each open). */
    #childStats = { received: 0, dropped: 0, ifDropped: 0 };
    readonly #stats: LiveCaptureStats;

    constructor(opts: LiveCaptureOptions, sink: FrameSink, events: LiveCaptureEvents = {}) {
        if (opts.interface === "") throw new CaptureError("CAPTURE_OPEN", "no capture interface configured");
        this.#opts = opts;
        this.#sink = sink;
        this.#events = events;
        this.#stats = {
            state: "stopped",
            interface: opts.interface,
            linkType: null,
            opens: 0,
            failures: 0,
            received: 0,
            dropped: 0,
            ifDropped: 0,
            frames: 0,
            lastError: null,
        };
    }

    /** A snapshot of the counters. */
    stats(): LiveCaptureStats {
        const s = this.#stats;
        return {
            ...s,
            received: s.received + this.#childStats.received,
            dropped: s.dropped + this.#childStats.dropped,
            ifDropped: s.ifDropped + this.#childStats.ifDropped,
        };
    }

    /** Starts capturing; failures are retried until stop(). */
    start(): void {
        if (this.#stats.state !== "stopped") return;
        this.#spawn();
    }

    /** Stops capturing and ends the child. */
    stop(): void {
        this.#setState("stopped", null);
        if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
        const child = this.#child;
        this.#child = null;
        if (child !== null) {
            child.removeAllListeners();
            child.stdout?.removeAllListeners();
            child.kill("SIGTERM");
        }
    }

    #setState(state: LiveCaptureState, error: { code: string; message: string } | null): void {
        if (error !== null) this.#stats.lastError = error;
        if (this.#stats.state === state) return;
        this.#stats.state = state;
        this.#events.onState?.(state, error);
    }

    #spawn(): void {
        this.#setState("starting", null);
        const childOpts: PcapChildOptions = {
            interface: this.#opts.interface,
            filter: this.#opts.filter,
            snapLength: this.#opts.snapLength,
            bufferSizeBytes: this.#opts.bufferSizeBytes,
            promiscuous: this.#opts.promiscuous,
            statsIntervalMs: this.#opts.statsIntervalMs ?? 1000,
        };
        const program = childProgram();
        const child = fork(program.script, [JSON.stringify(childOpts)], {
            stdio: ["ignore", "pipe", "ignore", "ipc"],
            serialization: "json",
            execArgv: program.execArgv,
        });
        this.#child = child;
        this.#childStats = { received: 0, dropped: 0, ifDropped: 0 };
        let error: { code: string; message: string } | null = null;
        const parser = new CaptureFileParser();
        const sink = this.#sink;
        const stats = this.#stats;
        child.stdout?.on("data", (chunk: Buffer) => {
            parser.push(chunk, (frame) => {
                stats.frames++;
                sink(frame);
            });
        });
        child.on("message", (msg: PcapChildMessage) => {
            if (msg.type === "open") {
                stats.opens++;
                stats.linkType = msg.linkType;
                this.#setState("open", null);
            } else if (msg.type === "stats") {
                this.#childStats = { received: msg.received, dropped: msg.dropped, ifDropped: msg.ifDropped };
            } else {
                error = { code: msg.code, message: msg.message };
            }
        });
        child.on("close", (code, signal) => {
            if (this.#child !== child) return;
            this.#child = null;
            stats.received += this.#childStats.received;
            stats.dropped += this.#childStats.dropped;
            stats.ifDropped += this.#childStats.ifDropped;
            this.#childStats = { received: 0, dropped: 0, ifDropped: 0 };
            stats.failures++;
            const why = error ?? {
                code: "CAPTURE_CHILD_EXIT",
                message: `capture process ended (${signal ?? `exit code ${code}`})`,
            };
            this.#setState("retrying", why);
            this.#retryTimer = setTimeout(() => {
                this.#retryTimer = null;
                this.#spawn();
            }, this.#opts.retryMs);
        });
    }
}
