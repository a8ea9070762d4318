import { createRequire } from "node:module";

/**
 * The systemd notify protocol (`Type=notify`): READY, STATUS, STOPPING and WATCHDOG datagrams to
 * $NOTIFY_SOCKET. Node has no AF_UNIX datagram sockets, so the optional native `unix-dgram` addon sends
 * them (as zigbee2mqtt does); without $NOTIFY_SOCKET (not under systemd) or without the addon, every call
 * is a no-op.
 */

/** Sends one datagram; implemented by unix-dgram, or by a fake in tests. */
export interface NotifyTransport {
    send(message: string): void;
    close(): void;
}

interface UnixDgramSocket {
    on(event: "error", listener: (err: Error) => void): void;
    send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
    close(): void;
}

interface UnixDgramModule {
    createSocket(type: "unix_dgram"): UnixDgramSocket;
}

/** A transport to $NOTIFY_SOCKET through unix-dgram, or null when that is not possible. */
export function unixDgramTransport(socketPath: string): NotifyTransport | { error: string } {
    let mod: UnixDgramModule;
    try {
        mod = createRequire(import.meta.url)("unix-dgram") as UnixDgramModule;
    } catch (err) {
        return { error: `the unix-dgram addon is not available (${(err as Error).message.split("\n")[0]})` };
    }
    // "@name" is the abstract namespace.
    const path = socketPath.startsWith("@") ? `\0${socketPath.slice(1)}` : socketPath;
    const socket = mod.createSocket("unix_dgram");
    socket.on("error", () => {
        // systemd went away or the socket is gone: notifications are best effort.
    });
    return {
        send(message) {
            const buf = Buffer.from(message);
            socket.send(buf, 0, buf.length, path);
        },
        close() {
            socket.close();
        },
    };
}

export interface NotifierOptions {
    env?: NodeJS.ProcessEnv;
    /** Injected transport (tests); default: unix-dgram to $NOTIFY_SOCKET. */
    transport?: NotifyTransport | null;
    /** Told why notifications are off when NOTIFY_SOCKET is set but no transport can be made. */
    onUnavailable?: (why: string) => void;
}

export class SystemdNotifier {
    readonly #transport: NotifyTransport | null;
    readonly #watchdogMs: number | null;
    #timer: NodeJS.Timeout | null = null;
    /** Messages sent (for tests and `show status`). */
    sent = 0;

    constructor(opts: NotifierOptions = {}) {
        const env = opts.env ?? process.env;
        const socketPath = env.NOTIFY_SOCKET;
        let transport: NotifyTransport | null = opts.transport ?? null;
        if (transport === null && socketPath !== undefined && socketPath !== "") {
            const t = unixDgramTransport(socketPath);
            if ("error" in t) opts.onUnavailable?.(t.error);
            else transport = t;
        }
        this.#transport = transport;
        this.#watchdogMs = watchdogIntervalMs(env);
    }

    /** True when notifications go somewhere. */
    get enabled(): boolean {
        return this.#transport !== null;
    }

    /** Half of systemd's WatchdogSec (the recommended ping interval), or null when there is no watchdog. */
    get watchdogIntervalMs(): number | null {
        return this.#watchdogMs;
    }

    #send(lines: string[]): void {
        if (this.#transport === null) return;
        // A newline in a value would start a new assignment: keep STATUS text on one line.
        this.#transport.send(lines.map((l) => l.replace(/[\r\n]+/g, " ")).join("\n"));
        this.sent++;
    }

    ready(status?: string): void {
        this.#send(status === undefined ? ["READY=1"] : ["READY=1", `STATUS=${status}`]);
    }

    status(text: string): void {
        this.#send([`STATUS=${text}`]);
    }

    stopping(status?: string): void {
        this.stopWatchdog();
        this.#send(status === undefined ? ["STOPPING=1"] : ["STOPPING=1", `STATUS=${status}`]);
    }

    /**
     * Pings the watchdog every interval while `healthy()` says so; a sick service stops pinging and
     * systemd restarts it. Returns false when systemd set no watchdog.
     */
    startWatchdog(healthy: () => boolean): boolean {
        if (this.#watchdogMs === null || this.#transport === null) return false;
        this.stopWatchdog();
        this.#timer = setInterval(() => {
            if (healthy()) this.#send(["WATCHDOG=1"]);
        }, this.#watchdogMs);
        this.#timer.unref();
        return true;
    }

    stopWatchdog(): void {
        if (this.#timer !== null) clearInterval(this.#timer);
        this.#timer = null;
    }

    close(): void {
        this.stopWatchdog();
        this.#transport?.close();
    }
}

/** WATCHDOG_USEC / 2 in ms when the watchdog is meant for this process (WATCHDOG_PID unset or ours). */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
    const usec = Number(env.WATCHDOG_USEC);
    if (!Number.isFinite(usec) || usec <= 0) return null;
    if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== "" && Number(env.WATCHDOG_PID) !== pid) return null;
    return Math.max(1, Math.floor(usec / 2000));
}
