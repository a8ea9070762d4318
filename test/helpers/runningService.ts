/**
 * The real service as an operator meets it: `bin/callbackd run` in a child process with a config file in a
 * temporary directory, its loopback console on a free port and (optionally) a real broker. Live capture on
 * an interface that does not exist keeps retrying, so the service runs without privileges or traffic.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../src/console/config.js";
import { HANG_MS } from "./wait.js";

/** The console password of every test service. */
export const CONSOLE_PASSWORD = "console-test-pw";
const BIN = join(import.meta.dirname, "../../bin/callbackd");

/** A TCP port free on loopback right now. */
export async function freeTcpPort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const port = (srv.address() as { port: number }).port;
    await new Promise((resolve) => srv.close(resolve));
    return port;
}

/** A running `callbackd run`. */
export interface RunningService {
    proc: ChildProcess;
    dir: string;
    configFile: string;
    stateDir: string;
    consolePort: number;
    /** stdout and stderr so far (JSON log lines). */
    output(): string;
    /** Resolves with the exit status (or the signal name). */
    exited: Promise<number | string>;
    /** SIGTERM, wait for the exit, remove the directory. */
    stop(): Promise<number | string>;
}

/** Starts `callbackd run` with `config` laid over a quiet, unprivileged base; `env` adds variables. */
export async function startService(
    config: Record<string, unknown> = {},
    env: NodeJS.ProcessEnv = {},
): Promise<RunningService> {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-svc-"));
    const stateDir = join(dir, "state");
    const consolePort = await freeTcpPort();
    const base: Record<string, unknown> = {
        capture: { interface: "cbk-none0" },
        http: { listen: "127.0.0.1:0" },
        state: { dir: stateDir },
        log: { level: "info" },
        service: { cbbChangeNotificationPort: consolePort, connectionRetryTimeoutMs: 60000 },
        console: { device: null, passwordHash: hashPassword(CONSOLE_PASSWORD, 1024) },
    };
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(config)) {
        const b = base[k];
        merged[k] =
            typeof v === "object" && v !== null && !Array.isArray(v) && typeof b === "object" && b !== null
                ? { ...(b as object), ...(v as object) }
                : v;
    }
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify(merged, null, 2));
    const proc = spawn(process.execPath, [BIN, "run", "--config", configFile], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    proc.stderr?.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | string>((resolve) =>
        proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
    );
    const svc: RunningService = {
        proc,
        dir,
        configFile,
        stateDir,
        consolePort,
        output: () => out,
        exited,
        async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
            const code = await exited;
            rmSync(dir, { recursive: true, force: true });
            return code;
        },
    };
    // ready once the console listens (it starts after state, HTTP, MQTT and capture)
    const end = Date.now() + HANG_MS;
    while (!/"console listening"/.test(out)) {
        if (proc.exitCode !== null) throw new Error(`callbackd run exited ${proc.exitCode}: ${out.slice(-2000)}`);
        if (Date.now() > end) {
            await svc.stop();
            throw new Error(`callbackd run did not start: ${out.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    return svc;
}
