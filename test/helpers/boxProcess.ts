/**
 * A real `callbackd run` process for end-to-end tests: its config written to a file, its output collected,
 * started (and awaited until it captures) and stopped or killed like systemd or a power cut would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HANG_MS } from "./wait.js";

export const BIN = join(import.meta.dirname, "../../bin/callbackd");

/** One `callbackd run` process. */
export class BoxProcess {
    proc: ChildProcess | null = null;
    output = "";
    readonly configFile: string;
    constructor(
        readonly node: string,
        readonly address: string,
        dir: string,
        config: Record<string, unknown>,
    ) {
        this.configFile = join(dir, `${node}.json`);
        writeFileSync(this.configFile, JSON.stringify(config));
    }

    async start(): Promise<void> {
        this.output = "";
        const p = spawn(process.execPath, [BIN, "run", "--config", this.configFile], {
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, NOTIFY_SOCKET: "" },
        });
        this.proc = p;
        p.stdout?.on("data", (d: Buffer) => {
            this.output += d.toString();
        });
        p.stderr?.on("data", (d: Buffer) => {
            this.output += d.toString();
        });
        await until(
            () => this.output.includes('"msg":"capture open"'),
            `${this.node} capturing`,
            HANG_MS,
            () => (this.proc?.exitCode !== null ? `${this.node} exited: ${this.output.slice(-2000)}` : null),
        );
    }

    /** Sends `signal` and resolves once the process is gone, with how it ended. */
    kill(signal: NodeJS.Signals = "SIGKILL"): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
        const p = this.proc;
        this.proc = null;
        if (p === null || p.exitCode !== null) return Promise.resolve({ code: p?.exitCode ?? null, signal: null });
        return new Promise((resolve) => {
            p.once("exit", (code, sig) => resolve({ code, signal: sig }));
            p.kill(signal);
        });
    }
}

/** Polls `cond` every 20 ms; rejects after `ms` (a hang made a failure) or as soon as `fatal` says why. */
export async function until(cond: () => boolean, what: string, ms = HANG_MS, fatal: () => string | null = () => null) {
    const end = Date.now() + ms;
    while (!cond()) {
        const f = fatal();
        if (f !== null) throw new Error(f);
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}
