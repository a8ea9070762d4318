/**
 * The diagnostic console's transports: a serial port (serialport, raw), a loopback-only TCP port and
 * stdio, all running the same command tree against one CallbackService. `startConsoles()` is what
 * `callbackd run` calls; the hub it returns takes the service's events (debug lines, `show log`) and alarms.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { CallbackdError, describeError } from "../errors.js";
import { getLogger } from "../logging/logger.js";
import {
    type ConsoleContext,
    type ConsoleEvent,
    type ConsoleProviders,
    commandTree,
    type DebugState,
    eventChannel,
    eventDevice,
    formatEvent,
} from "./commands.js";
import { CONSOLE_DEFAULTS, type ConsoleSectionConfig } from "./config.js";
import type { ConsoleService } from "./context.js";
import { ConsoleSession, LoginGuard, type SessionIo } from "./session.js";

export type { ConsoleEvent, ConsoleProviders } from "./commands.js";
export { hashPassword, verifyPassword } from "./config.js";

/** Errors of the console transports (stable codes). */
export class ConsoleError extends CallbackdError {}

const EVENT_HISTORY = 500;
const ALARM_HISTORY = 200;

/** Events and alarms shared by all sessions: debug fan-out and the history behind `show log` / `show alarms history`. */
export class ConsoleHub {
    readonly #events: { e: ConsoleEvent; at: number }[] = [];
    readonly #alarms: string[] = [];
    readonly #sessions = new Set<{ session: ConsoleSession<ConsoleContext>; debug: DebugState }>();
    #debugging = false;

    /** Feed every service event here (CallbackServiceOptions.onEvent). Cheap when nobody debugs. */
    readonly onEvent = (e: ConsoleEvent): void => {
        const at = Date.now();
        this.#events.push({ e, at });
        if (this.#events.length > EVENT_HISTORY) this.#events.shift();
        if (e.type === "Alarm") this.onAlarm(e.id, e.action, e.details);
        if (!this.#debugging) return;
        const ch = eventChannel(e);
        const dev = eventDevice(e)?.toLowerCase() ?? null;
        let line: string | null = null;
        for (const s of this.#sessions) {
            if (!s.debug.channels.has(ch)) continue;
            if (s.debug.device !== null && dev !== s.debug.device.toLowerCase()) continue;
            line ??= formatEvent(e, at);
            s.session.notify(line);
        }
    };

    /** Feed alarm transitions here (CallbackServiceOptions.onAlarm, the MQTT alarm manager). */
    readonly onAlarm = (id: string, action: "raise" | "clear", details: string): void => {
        this.#alarms.push(
            `${new Date().toISOString().slice(0, 19)} ${action === "raise" ? "RAISED " : "CLEARED"} ${id} ${details}`,
        );
        if (this.#alarms.length > ALARM_HISTORY) this.#alarms.shift();
    };

    /** The shared history, rendered. */
    history(): { events: string[]; alarms: string[] } {
        return { events: this.#events.map((x) => formatEvent(x.e, x.at)), alarms: [...this.#alarms] };
    }

    /** @internal */
    add(entry: { session: ConsoleSession<ConsoleContext>; debug: DebugState }): () => void {
        this.#sessions.add(entry);
        return () => {
            this.#sessions.delete(entry);
            this.recompute();
        };
    }

    /** @internal */
    recompute(): void {
        this.#debugging = [...this.#sessions].some((s) => s.debug.channels.size > 0);
    }

    get sessionCount(): number {
        return this.#sessions.size;
    }
}

/** A byte stream the console runs on (a SerialPort is one). */
export interface ConsoleStream {
    on(event: "data", fn: (chunk: Buffer) => void): unknown;
    on(event: "close", fn: () => void): unknown;
    on(event: "error", fn: (err: Error) => void): unknown;
    write(data: string): unknown;
}

/** Opens a serial device in raw mode at a baud rate. */
export type SerialOpener = (
    path: string,
    baudRate: number,
) => Promise<ConsoleStream & { close(cb?: () => void): unknown }>;

/** The default opener: the `serialport` package (loaded on demand: only boxes with a serial console need it). */
export const openSerialPort: SerialOpener = async (path, baudRate) => {
    const name = "serialport";
    let mod: { SerialPort: new (o: { path: string; baudRate: number; autoOpen: boolean }) => SerialPortLike };
    try {
        mod = (await import(name)) as typeof mod;
    } catch (err) {
        throw new ConsoleError(
            "CONSOLE_NO_SERIALPORT",
            `the serialport package is not installed: ${describeError(err).message}`,
            {},
        );
    }
    const port = new mod.SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return port;
};

interface SerialPortLike extends ConsoleStream {
    open(cb: (err: Error | null) => void): void;
    close(cb?: () => void): unknown;
}

/** Options of startConsoles(). Login settings come from the `console` section (see config.ts). */
export interface ConsoleOptions extends Partial<Omit<ConsoleSectionConfig, "tcpEnabled">> {
    /** TCP port on loopback; default service.cbbChangeNotificationPort; null: no TCP console. 0: any free port. */
    tcpPort?: number | null;
    /** Must be a loopback address (default 127.0.0.1). */
    tcpHost?: string;
    /** Run a session on these streams (e.g. process.stdin/stdout); `onEnd` runs when it logs out. */
    stdio?: { input: Readable; output: Writable; onEnd?: () => void };
    providers?: ConsoleProviders;
    hub?: ConsoleHub;
    openSerial?: SerialOpener;
    /** Wait before reopening a serial device that failed or went away. */
    serialRetryMs?: number;
    /** Lines per page (default 24). */
    termLength?: number;
}

/** What startConsoles() returns. */
export interface Consoles {
    hub: ConsoleHub;
    /** Bound TCP port, or null. */
    tcpPort: number | null;
    /** Resolves once the serial device is open (rejects when the first open fails; retries continue). */
    serialReady: Promise<void> | null;
    close(): Promise<void>;
}

/** Turns the `console` config section into startConsoles() options. */
export function consoleOptionsFromSection(section: Readonly<ConsoleSectionConfig>): ConsoleOptions {
    const { tcpEnabled, ...rest } = section;
    return { ...rest, ...(tcpEnabled ? {} : { tcpPort: null }) };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
    const h = host.replace(/^::ffff:/, "");
    return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Starts the consoles the options ask for. Throws ConsoleError for a non-loopback TCP host. */
export async function startConsoles(service: ConsoleService, options: ConsoleOptions = {}): Promise<Consoles> {
    const log = getLogger("console");
    const hub = options.hub ?? new ConsoleHub();
    const tree = commandTree();
    const providers = options.providers ?? {};
    const startedAt = Date.now();
    const o = { ...CONSOLE_DEFAULTS, ...stripUndefined(options) };
    const host = options.tcpHost ?? "127.0.0.1";
    if (!isLoopback(host)) {
        throw new ConsoleError("CONSOLE_NOT_LOOPBACK", `the TCP console only listens on loopback, not ${host}`, {
            host,
        });
    }
    if (o.passwordHash === null) log.warn("console.passwordHash is not set: console logins are refused");
    // One count of failed logins for every session (serial, TCP, local shell).
    const guard = new LoginGuard(o.maxFailures, o.lockoutS * 1000);

    const attach = (io: SessionIo, onEnd?: () => void) => {
        const debug: DebugState = { channels: new Set(), device: null };
        const session: ConsoleSession<ConsoleContext> = new ConsoleSession<ConsoleContext>(
            tree,
            (s) => ({
                service,
                providers,
                session: s.control,
                debug,
                history: () => hub.history(),
                startedAt,
                onDebugChanged: () => hub.recompute(),
            }),
            io,
            {
                hostname: providers.hostname ?? "callbackd",
                passwordHash: o.passwordHash,
                enablePasswordHash: o.enablePasswordHash,
                idleTimeoutMs: o.idleTimeoutS * 1000,
                maxFailures: o.maxFailures,
                lockoutMs: o.lockoutS * 1000,
                guard,
                ...(options.termLength === undefined ? {} : { termLength: options.termLength }),
                banner: "callbackd diagnostic console",
            },
        );
        const remove = hub.add({ session, debug });
        return {
            session,
            end: () => {
                session.close();
                remove();
                onEnd?.();
            },
        };
    };

    // TCP, loopback only.
    let server: Server | null = null;
    let tcpPort: number | null = null;
    const sockets = new Set<Socket>();
    const wantPort = options.tcpPort === undefined ? service.config.service.cbbChangeNotificationPort : options.tcpPort;
    if (wantPort !== null) {
        server = createServer((sock) => {
            if (!isLoopback(sock.remoteAddress ?? "")) {
                sock.destroy();
                return;
            }
            sockets.add(sock);
            const telnet = new TelnetFilter();
            const s = attach({ write: (t) => void sock.write(t), close: () => void sock.end() });
            sock.on("data", (b: Buffer) => s.session.feed(telnet.filter(b)));
            sock.on("error", () => sock.destroy());
            sock.on("close", () => {
                sockets.delete(sock);
                s.end();
            });
            s.session.start();
        });
        const srv = server;
        await new Promise<void>((resolve, reject) => {
            srv.once("error", (err) =>
                reject(new ConsoleError("CONSOLE_LISTEN", `console port ${host}:${wantPort}: ${err.message}`, {})),
            );
            srv.listen(wantPort, host, () => resolve());
        });
        const addr = srv.address();
        tcpPort = typeof addr === "object" && addr !== null ? addr.port : null;
        log.info({ host, port: tcpPort }, "console listening");
    }

    // stdio.
    let stdioEnd: (() => void) | null = null;
    if (options.stdio !== undefined) {
        const { input, output, onEnd } = options.stdio;
        const s = attach({ write: (t) => void output.write(t), close: () => stdioEnd?.() }, onEnd);
        const onData = (b: Buffer | string) => s.session.feed(typeof b === "string" ? Buffer.from(b) : b);
        input.on("data", onData);
        input.on("end", () => stdioEnd?.());
        stdioEnd = () => {
            stdioEnd = null;
            input.off("data", onData);
            s.end();
        };
        s.session.start();
    }

    // Serial: reopened after errors, as the device may come and go (USB-serial adapters).
    let serial: { close(cb?: () => void): unknown } | null = null;
    let serialSession: { end(): void } | null = null;
    let retry: NodeJS.Timeout | null = null;
    let closed = false;
    let serialReady: Promise<void> | null = null;
    if (o.device !== null) {
        const path = o.device;
        const opener = options.openSerial ?? openSerialPort;
        const retryMs = options.serialRetryMs ?? service.config.service.connectionRetryTimeoutMs;
        const open = async (): Promise<void> => {
            const port = await opener(path, o.baudRate);
            if (closed) {
                port.close();
                return;
            }
            serial = port;
            const s = attach({ write: (t) => void port.write(t) });
            serialSession = s;
            port.on("data", (b) => s.session.feed(b));
            port.on("error", (err) => log.warn({ device: path, error: err.message }, "console serial port error"));
            port.on("close", () => {
                s.end();
                serial = null;
                serialSession = null;
                if (!closed) schedule();
            });
            s.session.start();
            log.info({ device: path, baudRate: o.baudRate }, "console on serial port");
        };
        const schedule = (): void => {
            retry = setTimeout(() => {
                retry = null;
                open().catch((err: unknown) => {
                    log.warn({ device: path, error: describeError(err).message }, "console serial port unavailable");
                    if (!closed) schedule();
                });
            }, retryMs);
            retry.unref();
        };
        serialReady = open().catch((err: unknown) => {
            log.warn({ device: path, error: describeError(err).message }, "console serial port unavailable");
            schedule();
            throw err;
        });
        serialReady.catch(() => {});
    }

    return {
        hub,
        tcpPort,
        serialReady,
        async close() {
            closed = true;
            if (retry !== null) clearTimeout(retry);
            stdioEnd?.();
            for (const s of sockets) s.destroy();
            const srv = server;
            if (srv !== null) await new Promise<void>((r) => srv.close(() => r()));
            (serialSession as { end(): void } | null)?.end();
            const port = serial as { close(cb?: () => void): unknown } | null;
            if (port !== null) await new Promise<void>((r) => port.close(() => r()));
        },
    };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Removes telnet negotiation (IAC …) from TCP input, so a telnet client's option bytes are not keystrokes. */
export class TelnetFilter {
    #state = 0;

    /** Returns the bytes that are data. */
    filter(b: Uint8Array): Uint8Array {
        if (this.#state === 0 && !b.includes(0xff)) return b;
        const out = new Uint8Array(b.length);
        let n = 0;
        for (const x of b) {
            switch (this.#state) {
                case 0:
                    if (x === 0xff) this.#state = 1;
                    else out[n++] = x;
                    break;
                case 1: // after IAC
                    if (x === 0xff) {
                        out[n++] = x;
                        this.#state = 0;
                    } else if (x >= 0xfb && x <= 0xfe) this.#state = 2;
                    else if (x === 0xfa) this.#state = 3;
                    else this.#state = 0;
                    break;
                case 2: // option byte
                    this.#state = 0;
                    break;
                case 3: // subnegotiation until IAC SE
                    if (x === 0xff) this.#state = 4;
                    break;
                default:
                    this.#state = x === 0xf0 ? 0 : 3;
            }
        }
        return out.subarray(0, n);
    }
}
