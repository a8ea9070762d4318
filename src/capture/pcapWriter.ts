import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { CaptureError } from "../errors.js";

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
    #closed = false;

    constructor(
        readonly path: string,
        linkType = 1,
        snapLength = 65535,
        blockBytes = 1 << 20,
    ) {
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

    get frames(): number {
        return this.#frames;
    }

    /** Appends one frame captured at `ts` seconds since the epoch. */
    write(ts: number, frame: Uint8Array, origLen = frame.length): void {
        if (this.#closed) throw new CaptureError("CAPTURE_CLOSED", `${this.path}: writer is closed`);
        if (this.#pos + 16 + frame.length > this.#buf.length) this.#flush();
        if (16 + frame.length > this.#buf.length) this.#buf = Buffer.allocUnsafe(16 + frame.length);
        let sec = Math.floor(ts);
        let usec = Math.round((ts - sec) * 1e6);
        if (usec >= 1e6) {
            sec += 1;
            usec -= 1e6;
        }
        const b = this.#buf;
        b.writeUInt32LE(sec >>> 0, this.#pos);
        b.writeUInt32LE(usec, this.#pos + 4);
        b.writeUInt32LE(frame.length, this.#pos + 8);
        b.writeUInt32LE(origLen, this.#pos + 12);
        b.set(frame, this.#pos + 16);
        this.#pos += 16 + frame.length;
        this.#frames++;
    }

    #flush(): void {
        let off = 0;
        while (off < this.#pos) off += writeSync(this.#fd, this.#buf, off, this.#pos - off);
        this.#pos = 0;
    }

    /** Writes what is buffered, fsyncs and closes. */
    close(): void {
        if (this.#closed) return;
        this.#flush();
        fsyncSync(this.#fd);
        closeSync(this.#fd);
        this.#closed = true;
    }
}
