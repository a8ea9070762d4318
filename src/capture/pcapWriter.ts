import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { CaptureError } from "../errors.js";
import type { CapturedFrame, FrameSink } from "./frame.js";

/**
 * Writes a classic pcap file (microsecond timestamps, little-endian): what the simulator and the
 * benchmark generator produce, and what tshark and our reader both read. Records are gathered and written
 * in large blocks.
 */
export class PcapFileWriter {
    readonly #fd: number;
    #buf: Buffer;
    #pos = 0;
    #frames = 0;
    #written = 0;
    #closed = false;

    readonly #fsync: boolean;

    /** `fsync: false` skips the fsync at close (benchmark captures that need no durability). */
    constructor(
        readonly path: string,
        linkType = 1,
        snapLength = 65535,
        blockBytes = 1 << 20,
        options: { fsync?: boolean } = {},
    ) {
        this.#fsync = options.fsync !== false;
        try {
            this.#fd = openSync(path, "w");
        } catch (err) {
            throw new CaptureError("CAPTURE_OPEN", `${path}: ${(err as Error).message}`, { path }, { cause: err });
        }
        this.#buf = Buffer.allocUnsafe(Math.max(blockBytes, 24 + 16 + snapLength));
        this.#buf.writeUInt32LE(0xa1b2c3d4, 0);
        this.#buf.writeUInt16LE(2, 4);
        this.#buf.writeUInt16LE(4, 6);
        this.#buf.writeInt32LE(0, 8);
        this.#buf.writeUInt32LE(0, 12);
        this.#buf.writeUInt32LE(snapLength, 16);
        this.#buf.writeUInt32LE(linkType, 20);
        this.#pos = 24;
    }

    /** Frames written so far. */
    get frames(): number {
        return this.#frames;
    }

    /** Bytes written so far (file header and records, buffered ones included). */
    get bytes(): number {
        return this.#written + this.#pos;
    }

    /** Appends one frame captured at `ts` seconds since the epoch. */
    write(ts: number, frame: Uint8Array, origLen = frame.length): void {
        this.writeFrom(ts, frame, 0, frame.length, origLen);
    }

    /** Appends the frame buf[start, end) without making a view of it (the synthesiser's hot path). */
    writeFrom(ts: number, buf: Uint8Array, start: number, end: number, origLen = end - start): void {
        if (this.#closed) throw new CaptureError("CAPTURE_CLOSED", `${this.path}: writer is closed`);
        const len = end - start;
        if (this.#pos + 16 + len > this.#buf.length) this.#flush();
        if (16 + len > this.#buf.length) this.#buf = Buffer.allocUnsafe(16 + len);
        let sec = Math.floor(ts);
        let usec = Math.round((ts - sec) * 1e6);
        if (usec >= 1e6) {
            sec += 1;
            usec -= 1e6;
        }
        const b = this.#buf;
        const p = this.#pos;
        b.writeUInt32LE(sec >>> 0, p);
        b.writeUInt32LE(usec, p + 4);
        b.writeUInt32LE(len, p + 8);
        b.writeUInt32LE(origLen, p + 12);
        b.set(start === 0 && end === buf.length ? buf : buf.subarray(start, end), p + 16);
        this.#pos = p + 16 + len;
        this.#frames++;
    }

    /** A FrameSink that appends every frame it is given (live capture into a file). */
    frameSink(): FrameSink {
        return (frame: CapturedFrame) => this.write(frame.ts, frame.bytes, frame.origLen);
    }

    /** Writes what is buffered so far to the file (readers then see every frame written). */
    flush(): void {
        if (!this.#closed) this.#flush();
    }

    #flush(): void {
        let off = 0;
        while (off < this.#pos) off += writeSync(this.#fd, this.#buf, off, this.#pos - off);
        this.#written += this.#pos;
        this.#pos = 0;
    }

    /** Writes what is buffered, fsyncs and closes. */
    close(): void {
        if (this.#closed) return;
        this.#flush();
        if (this.#fsync) fsyncSync(this.#fd);
        closeSync(this.#fd);
        this.#closed = true;
    }
}
