/**
 * Capture child process: opens a live interface with the `pcap` addon and writes what it captures to
 * stdout as a classic pcap stream. Status goes to the parent over the IPC channel.
 *
 * Why a child: node_pcap cannot really close a live session (its poll handle stays referenced and the
 * libpcap handle leaks when the interface goes away), and an exception inside its packet callback is
 * fatal to the process. A child that can simply exit keeps the service clean across interface loss.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";

/** Options the parent passes as the first argument (JSON). */
export interface PcapChildOptions {
    interface: string;
    filter: string;
    snapLength: number;
    bufferSizeBytes: number;
    promiscuous: boolean;
    /** How often to report libpcap statistics, ms. */
    statsIntervalMs: number;
}

/** Messages from the child to the parent. */
export type PcapChildMessage =
    | { type: "open"; linkType: number }
    | { type: "stats"; received: number; dropped: number; ifDropped: number }
    | { type: "error"; code: string; message: string };

/** The part of node_pcap we use (its own typings are incomplete). */
export interface PcapAddon {
    createSession(
        device: string,
        options: {
            filter: string;
            buffer_size: number;
            snap_length: number;
            buffer_timeout: number;
            promiscuous: boolean;
        },
    ): PcapSessionHandle;
}

interface PcapSessionHandle {
    link_type: string;
    buf: Buffer;
    header: Buffer;
    session: { dispatch(buf: Buffer, header: Buffer): number; read_callback: () => void };
    on(event: "packet", listener: () => void): void;
    stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

/** node_pcap reports link types by name; the pcap stream needs the number. */
export const LINK_TYPE_NUMBERS: Readonly<Record<string, number>> = {
    LINKTYPE_NULL: 0,
    LINKTYPE_ETHERNET: 1,
    LINKTYPE_RAW: 101,
    LINKTYPE_IEEE802_11_RADIO: 127,
    LINKTYPE_LINUX_SLL: 113,
};

/** Loads the optional `pcap` addon, or explains what is missing. */
export function loadPcapAddon(): PcapAddon | { error: string } {
    try {
        return createRequire(import.meta.url)("pcap") as PcapAddon;
    } catch (err) {
        return {
            error: `the pcap addon is not available (${(err as Error).message.split("\n")[0]}); install the Debian package libpcap-dev and run npm ci`,
        };
    }
}

/**
 * False when the interface is known to be down (Linux operstate: admin down, no carrier); true when it is
 * up or its state cannot be told. libpcap keeps a down interface open and silently captures nothing.
 */
export function interfaceUp(name: string): boolean {
    let state: string;
    try {
        state = readFileSync(`/sys/class/net/${name}/operstate`, "utf8").trim();
    } catch {
        return true;
    }
    return state === "up" || state === "unknown";
}

/** The classic pcap global header for a live stream (microsecond timestamps, host byte order). */
export function pcapGlobalHeader(linkType: number, snapLength: number): Buffer {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snapLength, 16);
    h.writeUInt32LE(linkType, 20);
    return h;
}

/** Collects pcap records (16-byte header + bytes) into one buffer, handed to `write` at flush or when full. */
export class PcapRecordBatch {
    #buf: Buffer;
    #used = 0;
    readonly #write: (chunk: Buffer) => void;

    constructor(write: (chunk: Buffer) => void, size = 1 << 20) {
        this.#write = write;
        this.#buf = Buffer.allocUnsafe(size);
    }

    /** Appends one record (the first `capLen` bytes of `bytes`). */
    add(sec: number, usec: number, origLen: number, bytes: Uint8Array, capLen: number): void {
        if (this.#used + 16 + capLen > this.#buf.length) {
            this.flush();
            if (16 + capLen > this.#buf.length) this.#buf = Buffer.allocUnsafe(16 + capLen);
        }
        const b = this.#buf;
        const at = this.#used;
        b.writeUInt32LE(sec, at);
        b.writeUInt32LE(usec, at + 4);
        b.writeUInt32LE(capLen, at + 8);
        b.writeUInt32LE(origLen, at + 12);
        b.set(bytes.subarray(0, capLen), at + 16);
        this.#used = at + 16 + capLen;
    }

    /** Hands over what was collected, as a copy: the writer may keep the chunk while the buffer is reused. */
    flush(): void {
        if (this.#used === 0) return;
        const chunk = Buffer.from(this.#buf.subarray(0, this.#used));
        this.#used = 0;
        this.#write(chunk);
    }
}

function run(opts: PcapChildOptions): void {
    const send = (msg: PcapChildMessage): void => {
        if (process.connected) process.send?.(msg);
    };
    function fail(code: string, message: string, exitCode: number): never {
        send({ type: "error", code, message });
        process.exit(exitCode);
    }
    // The parent going away means we are done.
    process.on("disconnect", () => process.exit(0));
    process.stdout.on("error", () => process.exit(0));

    const addon = loadPcapAddon();
    if ("error" in addon) fail("CAPTURE_UNAVAILABLE", addon.error, 2);
    const pcap = addon as PcapAddon;

    if (!interfaceUp(opts.interface)) fail("CAPTURE_INTERFACE_DOWN", `${opts.interface}: interface is down`, 3);
    let session: PcapSessionHandle;
    try {
        session = pcap.createSession(opts.interface, {
            filter: opts.filter,
            buffer_size: opts.bufferSizeBytes,
            snap_length: opts.snapLength,
            buffer_timeout: 0, // immediate mode: a CallBack press must not wait for a buffer to fill
            promiscuous: opts.promiscuous,
        });
    } catch (err) {
        const message = (err as Error).message;
        const code = /permission|not permitted/i.test(message) ? "CAPTURE_PERMISSION" : "CAPTURE_OPEN";
        fail(code, `${opts.interface}: ${message}`, 2);
    }
    const linkType = LINK_TYPE_NUMBERS[session.link_type];
    if (linkType === undefined) fail("CAPTURE_LINK_TYPE", `${opts.interface}: ${session.link_type}`, 2);

    const le = endianness() === "LE";
    const { buf, header } = session;
    // Records are batched: one dispatch delivers every packet waiting in the kernel buffer, and one pipe
    // write per dispatch instead of one per packet is what keeps up with a busy mirror port.
    const batch = new PcapRecordBatch((chunk) => process.stdout.write(chunk));
    session.on("packet", () => {
        const capLen = Math.min(le ? header.readUInt32LE(8) : header.readUInt32BE(8), buf.length);
        batch.add(
            le ? header.readUInt32LE(0) : header.readUInt32BE(0),
            le ? header.readUInt32LE(4) : header.readUInt32BE(4),
            le ? header.readUInt32LE(12) : header.readUInt32BE(12),
            buf,
            capLen,
        );
    });
    // Replace node_pcap's read callback so a dead interface (dispatch < 0) ends this process instead of
    // being ignored.
    session.session.read_callback = () => {
        const n = session.session.dispatch(buf, header);
        batch.flush();
        if (n < 0) {
            reportStats();
            fail("CAPTURE_INTERFACE_LOST", `${opts.interface}: capture stopped (interface down or removed)`, 3);
        }
    };
    const reportStats = (): void => {
        try {
            const s = session.stats();
            send({ type: "stats", received: s.ps_recv, dropped: s.ps_drop, ifDropped: s.ps_ifdrop });
        } catch {
            // pcap_stats fails once the interface is gone; the exit that follows says why.
        }
    };
    process.stdout.write(pcapGlobalHeader(linkType!, opts.snapLength));
    send({ type: "open", linkType: linkType! });
    setInterval(() => {
        reportStats();
        if (!interfaceUp(opts.interface)) {
            fail("CAPTURE_INTERFACE_LOST", `${opts.interface}: capture stopped (interface down)`, 3);
        }
    }, opts.statsIntervalMs).unref();
}

const arg = process.argv[2];
if (arg !== undefined && process.send !== undefined) run(JSON.parse(arg) as PcapChildOptions);
