/** A socat pty pair and a terminal driving one end through the real `serialport` binding. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasTool } from "../helpers/tools.js";
import { HANG_MS } from "../helpers/wait.js";

/** Skip reason when socat or the serialport package is missing. */
export async function needSerial(): Promise<string | false> {
    if (!hasTool("socat", ["-V"])) return "needs socat: install the Debian package socat";
    try {
        const name = "serialport";
        await import(name);
        return false;
    } catch {
        return "needs the serialport npm package (npm install serialport@12)";
    }
}

/** Two linked pseudo-terminals, raw, no echo: what one end writes the other reads. */
export interface PtyPair {
    a: string;
    b: string;
    stop(): Promise<void>;
}

/** Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` with stable link names. */
export async function ptyPair(): Promise<PtyPair> {
    const dir = mkdtempSync(join(tmpdir(), "cbconsole-"));
    const a = join(dir, "ttyA");
    const b = join(dir, "ttyB");
    const p: ChildProcess = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    p.stderr?.resume();
    let spawnError: Error | null = null;
    p.once("error", (err) => {
        spawnError = err;
    });
    const stop = async (): Promise<void> => {
        if (p.exitCode === null && p.signalCode === null && p.pid !== undefined) {
            const gone = new Promise((r) => p.once("exit", r));
            p.kill();
            await gone;
        }
        rmSync(dir, { recursive: true, force: true });
    };
    const end = Date.now() + HANG_MS;
    while (!(existsSync(a) && existsSync(b))) {
        if (spawnError !== null || p.exitCode !== null || Date.now() > end) {
            // nothing of a failed start may stay behind: the socat process and the link directory
            await stop();
            throw new Error(`socat did not create the pty pair${spawnError !== null ? `: ${spawnError}` : ""}`);
        }
        await new Promise((r) => setTimeout(r, 10));
    }
    return { a, b, stop };
}

interface Port {
    on(ev: "data", fn: (b: Buffer) => void): void;
    on(ev: "error", fn: (e: Error) => void): void;
    write(d: string | Buffer, cb?: (err?: Error | null) => void): boolean;
    drain(cb: (err?: Error | null) => void): void;
    open(cb: (err: Error | null) => void): void;
    close(cb?: (err?: Error | null) => void): void;
    isOpen: boolean;
}

/** An operator's terminal on a serial device (or any byte stream), with expect-style helpers. */
export class Terminal {
    out = "";
    #port: Port | null = null;
    #write: (d: string | Buffer) => Promise<void>;
    #closeFn: () => Promise<void>;

    constructor(write: (d: string | Buffer) => Promise<void>, close: () => Promise<void>) {
        this.#write = write;
        this.#closeFn = close;
    }

    /** Opens a serial device with the real serialport binding. */
    static async serial(path: string, baudRate = 115200): Promise<Terminal> {
        const name = "serialport";
        const { SerialPort } = (await import(name)) as {
            SerialPort: new (o: { path: string; baudRate: number; autoOpen: boolean }) => Port;
        };
        const port = new SerialPort({ path, baudRate, autoOpen: false });
        await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
        const term: Terminal = new Terminal(
            // The write's own callback, not drain(): drain is tcdrain() in a libuv worker, which on a pty waits
            // until socat has read everything; under load that blocked worker stalled the whole test (the
            // 1 MB junk phase of serial.test.ts hung past tap's timeout).
            (d) => new Promise((res, rej) => port.write(d, (e) => (e ? rej(e) : res()))),
            () => new Promise((res) => (port.isOpen ? port.close(() => res()) : res())),
        );
        term.#port = port;
        // Closing while a read is pending cancels it with an "error" event: expected at teardown, not a crash.
        port.on("error", () => {});
        port.on("data", (b) => {
            term.out += b.toString("latin1");
        });
        return term;
    }

    /** Connects to a TCP console. */
    static async tcp(port: number, host = "127.0.0.1"): Promise<Terminal> {
        const sock = createConnection({ port, host });
        await new Promise<void>((res, rej) => {
            sock.once("connect", () => res());
            sock.once("error", rej);
        });
        const term: Terminal = new Terminal(
            (d) => new Promise((res) => sock.write(d, () => res())),
            () =>
                new Promise((res) => {
                    if (sock.destroyed) res();
                    else sock.end(() => res());
                }),
        );
        sock.on("data", (b: Buffer) => {
            term.out += b.toString("latin1");
        });
        sock.on("close", () => {
            term.ended = true;
        });
        return term;
    }

    /** The transport closed (TCP). */
    ended = false;

    /** Sends bytes. */
    send(d: string | Buffer): Promise<void> {
        return this.#write(d);
    }

    /** Waits until the output (since the last take) matches; returns it and consumes it. */
    async expect(re: RegExp, timeoutMs = HANG_MS): Promise<string> {
        const end = Date.now() + timeoutMs;
        while (!re.test(this.out)) {
            if (Date.now() > end)
                throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(this.out.slice(-600))}`);
            await new Promise((r) => setTimeout(r, 5));
        }
        const s = this.out;
        this.out = "";
        return s;
    }

    /** Runs a command line and returns its output up to the next prompt. */
    async run(line: string, prompt = /\r\n[\w-]+[>#]$/): Promise<string> {
        this.out = "";
        await this.send(`${line}\r`);
        return this.expect(prompt);
    }

    get isSerial(): boolean {
        return this.#port !== null;
    }

    close(): Promise<void> {
        return this.#closeFn();
    }
}

/** Logs in on a fresh session with `password` (also the enable password); `enable` goes to privileged mode. */
export async function login(term: Terminal, enable = false, password = "pw"): Promise<void> {
    await term.expect(/Password: $/);
    await term.send(`${password}\r`);
    await term.expect(/>$/);
    if (enable) {
        await term.send("enable\r");
        await term.expect(/Password: $/);
        await term.send(`${password}\r`);
        await term.expect(/#$/);
    }
    await term.run("terminal length 0");
}
