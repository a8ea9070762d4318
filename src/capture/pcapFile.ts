/**
 * Streaming pcap / pcapng reader.
 *
 * `CaptureFileParser` is push-based: feed it chunks with any boundaries and it calls the sink synchronously
 * for every frame. A record that lies inside one chunk is handed out as a view of that chunk; only a record
 * that straddles chunks is copied into a reused stash, which never holds more than one record. Malformed
 * records are counted, never thrown: the only throws are for input that is not a capture file at all.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { CaptureError } from "../errors.js";
import type { CapturedFrame, FrameSink } from "./frame.js";

/** Container format of a capture file. */
export type CaptureFormat = "pcap" | "pcapng";

/** One capture interface: the pcap global header, or one pcapng Interface Description Block. */
export interface CaptureInterfaceInfo {
    /** LINKTYPE_* number. */
    linkType: number;
    /** Snapshot length (0 = unlimited). */
    snaplen: number;
    /** Seconds per timestamp tick (1e-6, 1e-9, 2^-n ...). */
    tsResolution: number;
    /** pcapng if_tsoffset, seconds added to every timestamp (0 for pcap). */
    tsOffset: number;
}

/** What the reader saw; `bytes` counts input up to the end of the last record parsed. */
export interface CaptureFileStats {
    /** null only when stopped before the first bytes identified the format. */
    format: CaptureFormat | null;
    frames: number;
    bytes: number;
    /** Every interface of the file, in order; a frame's `ifIndex` indexes this list (global across sections). */
    interfaces: CaptureInterfaceInfo[];
    /** pcapng blocks skipped on purpose (NRB, ISB, DSB, custom, unknown, unsupported section). */
    skippedBlocks: number;
    /** Records that could not be used (bad lengths, unknown interface, bad options). */
    malformed: number;
    /** The input ended inside a record. */
    truncatedTail: boolean;
    /** Reading stopped at an unrecoverable structural error. */
    corrupt: boolean;
    /** File offset of that error, or null. */
    corruptOffset: number | null;
    /** Why the file is corrupt, or null. */
    corruptReason: string | null;
    /** Stopped early by `stop()` or an AbortSignal. */
    stopped: boolean;
}

/** Limits and naming for a parser. */
export interface CaptureFileParserOptions {
    /** Largest pcapng block accepted (bytes); bigger means the file is corrupt. Default 1 MiB. */
    maxBlockSize?: number;
    /** Largest captured length of one packet; bigger is corrupt (pcap) or malformed (pcapng). Default 262144. */
    maxCapLen?: number;
    /** Name used in error messages (file path, "stdin"). */
    name?: string;
}

/** Default largest packet, as libpcap and Wireshark (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const DEFAULT_MAX_CAPLEN = 262144;
/** Default largest pcapng block: room for a maximal packet plus generous options. */
export const DEFAULT_MAX_BLOCK_SIZE = 1 << 20;

const ST_START = 0;
const ST_PCAP = 1;
const ST_NG = 2;
const ST_DONE = 3;

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAP_US_SWAPPED = 0xd4c3b2a1;
const PCAP_NS_SWAPPED = 0x4d3cb2a1;
const PCAP_HEADER = 24;
const PCAP_RECORD = 16;

const NG_SHB = 0x0a0d0d0a;
const NG_IDB = 1;
const NG_PB = 2;
const NG_SPB = 3;
const NG_EPB = 6;
const NG_BOM = 0x1a2b3c4d;
const NG_BOM_SWAPPED = 0x4d3c2b1a;
const NG_MIN_BLOCK = 12;
const NG_MIN_SHB = 28;
const NG_MIN_IDB = 20;
const NG_MIN_EPB = 32;
const NG_MIN_SPB = 16;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

const TWO_32 = 4294967296;

interface Iface {
    index: number;
    linkType: number;
    snaplen: number;
    unitsPerSec: number;
    tsOffset: number;
}

/** Hex dump of the first bytes of a buffer, for "not a capture file" messages. */
function hexPrefix(buf: Uint8Array, off: number, end: number): string {
    const parts: string[] = [];
    for (let i = off; i < end && i < off + 16; i++) parts.push((buf[i] ?? 0).toString(16).padStart(2, "0"));
    return parts.join(" ");
}

/** Incremental pcap/pcapng parser: push chunks, receive frames synchronously. */
export class CaptureFileParser {
    #state = ST_START;
    #le = true;
    #need = 4;
    #stash: Uint8Array = new Uint8Array(0);
    #stashView = new DataView(this.#stash.buffer);
    #stashLen = 0;
    readonly #stashLimit: number;
    readonly #maxBlockSize: number;
    readonly #maxCapLen: number;
    readonly #name: string;

    #fmt: CaptureFormat | null = null;
    #frames = 0;
    #bytes = 0;
    #skippedBlocks = 0;
    #malformed = 0;
    #truncatedTail = false;
    #corruptOffset: number | null = null;
    #corruptReason: string | null = null;
    #stopped = false;
    #ended = false;

    readonly #ifaces: Iface[] = [];
    #secIfaces: Iface[] = [];
    #skipSection = false;
    #lastTs = 0;
    #pcapLinkType = 0;
    #pcapDiv = 1e6;

    constructor(opts: CaptureFileParserOptions = {}) {
        this.#maxBlockSize = Math.max(NG_MIN_SHB, opts.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE);
        this.#maxCapLen = Math.max(0, opts.maxCapLen ?? DEFAULT_MAX_CAPLEN);
        this.#stashLimit = Math.max(this.#maxBlockSize, this.#maxCapLen + PCAP_RECORD, PCAP_HEADER);
        this.#name = opts.name ?? "capture";
    }

    /** Format, once the first bytes identified it. */
    get format(): CaptureFormat | null {
        return this.#fmt;
    }

    /** True once reading is over (corrupt, stopped or ended); further pushes are ignored. */
    get done(): boolean {
        return this.#state === ST_DONE;
    }

    /** Bytes the buffer for a record split across chunks holds room for (bounded by the stash limit). */
    get stashCapacity(): number {
        return this.#stash.length;
    }

    /** Feeds the next chunk; calls `sink` for every complete frame. Throws CAPTURE_FORMAT on a non-capture. */
    push(chunk: Uint8Array, sink: FrameSink): void {
        if (this.#state === ST_DONE) return;
        const len = chunk.length;
        let pos = 0;
        if (this.#stashLen > 0) {
            // Complete the straddling record first; `need` is exact, so the stash never over-reads.
            for (;;) {
                const take = Math.min(this.#need - this.#stashLen, len - pos);
                this.#stash.set(chunk.subarray(pos, pos + take), this.#stashLen);
                this.#stashLen += take;
                pos += take;
                if (this.#stashLen < this.#need) return;
                const used = this.#run(this.#stash, this.#stashView, 0, this.#stashLen, sink);
                if (this.#state === ST_DONE) {
                    this.#stashLen = 0;
                    return;
                }
                if (used === this.#stashLen) {
                    this.#stashLen = 0;
                    break;
                }
                // `need` is exact, so `used` is 0 here (the stash held only part of the next record).
                this.#stash.copyWithin(0, used, this.#stashLen);
                this.#stashLen -= used;
                this.#ensureStash(this.#need);
                if (pos === len) return;
            }
        }
        if (pos === len) return;
        const stop = this.#run(chunk, new DataView(chunk.buffer, chunk.byteOffset, len), pos, len, sink);
        if (stop < len && this.#state !== ST_DONE) {
            this.#ensureStash(this.#need);
            this.#stash.set(chunk.subarray(stop, len), 0);
            this.#stashLen = len - stop;
        }
    }

    /** Signals end of input and returns the final stats. Throws CAPTURE_FORMAT if the input was too short to identify. */
    end(): CaptureFileStats {
        if (!this.#ended) {
            this.#ended = true;
            if (this.#fmt === null && !this.#stopped) {
                this.#state = ST_DONE;
                const got = this.#stashLen;
                throw new CaptureError(
                    "CAPTURE_FORMAT",
                    got === 0
                        ? `${this.#name}: empty input, not a pcap or pcapng file`
                        : `${this.#name}: only ${got} byte(s), not a pcap or pcapng file (starts with ${hexPrefix(this.#stash, 0, got)})`,
                    { name: this.#name, size: got },
                );
            }
            if (this.#stashLen > 0 && this.#state !== ST_DONE) this.#truncatedTail = true;
            this.#stashLen = 0;
            this.#state = ST_DONE;
        }
        return this.stats();
    }

    /** Stops reading now (also from inside the sink): no further frames are delivered. */
    stop(): void {
        if (this.#state === ST_DONE) return;
        this.#stopped = true;
        this.#state = ST_DONE;
        this.#stashLen = 0;
    }

    /** Snapshot of the counters so far. */
    stats(): CaptureFileStats {
        return {
            format: this.#fmt,
            frames: this.#frames,
            bytes: this.#bytes,
            interfaces: this.#ifaces.map((i) => ({
                linkType: i.linkType,
                snaplen: i.snaplen,
                tsResolution: 1 / i.unitsPerSec,
                tsOffset: i.tsOffset,
            })),
            skippedBlocks: this.#skippedBlocks,
            malformed: this.#malformed,
            truncatedTail: this.#truncatedTail,
            corrupt: this.#corruptOffset !== null,
            corruptOffset: this.#corruptOffset,
            corruptReason: this.#corruptReason,
            stopped: this.#stopped,
        };
    }

    #ensureStash(n: number): void {
        if (this.#stash.length >= n) return;
        const grown = new Uint8Array(Math.max(n, Math.min(Math.max(this.#stash.length * 2, 4096), this.#stashLimit)));
        grown.set(this.#stash.subarray(0, this.#stashLen), 0);
        this.#stash = grown;
        this.#stashView = new DataView(grown.buffer);
    }

    #markCorrupt(offset: number, reason: string): void {
        this.#malformed++;
        this.#corruptOffset = offset;
        this.#corruptReason = reason;
        this.#state = ST_DONE;
    }

    /** Parses complete records in buf[off, end); returns where it stopped and sets `need` for the next record. */
    #run(buf: Uint8Array, dv: DataView, off: number, end: number, sink: FrameSink): number {
        if (this.#state === ST_PCAP) return this.#runPcap(buf, dv, off, end, sink);
        if (this.#state === ST_NG) return this.#runNg(buf, dv, off, end, sink);
        return this.#runStart(buf, dv, off, end, sink); // never called once done: push() checks first
    }

    #runStart(buf: Uint8Array, dv: DataView, off: number, end: number, sink: FrameSink): number {
        if (end - off < 4) {
            this.#need = 4;
            return off;
        }
        const magic = dv.getUint32(off, false);
        if (magic === NG_SHB) {
            this.#fmt = "pcapng";
            this.#state = ST_NG;
            return this.#runNg(buf, dv, off, end, sink);
        }
        const le = magic === PCAP_US_SWAPPED || magic === PCAP_NS_SWAPPED;
        if (!le && magic !== PCAP_US && magic !== PCAP_NS) {
            this.#state = ST_DONE;
            throw new CaptureError(
                "CAPTURE_FORMAT",
                `${this.#name}: not a pcap or pcapng file (starts with ${hexPrefix(buf, off, end)})`,
                { name: this.#name, magic: magic.toString(16).padStart(8, "0") },
            );
        }
        this.#fmt = "pcap";
        if (end - off < PCAP_HEADER) {
            this.#need = PCAP_HEADER;
            return off;
        }
        this.#le = le;
        this.#pcapDiv = magic === PCAP_NS || magic === PCAP_NS_SWAPPED ? 1e9 : 1e6;
        // libpcap's LT_LINKTYPE(): the upper bits carry FCS length flags.
        this.#pcapLinkType = dv.getUint32(off + 20, le) & 0x03ffffff;
        this.#ifaces.push({
            index: 0,
            linkType: this.#pcapLinkType,
            snaplen: dv.getUint32(off + 16, le),
            unitsPerSec: this.#pcapDiv,
            tsOffset: 0,
        });
        this.#bytes += PCAP_HEADER;
        this.#state = ST_PCAP;
        return this.#runPcap(buf, dv, off + PCAP_HEADER, end, sink);
    }

    #runPcap(buf: Uint8Array, dv: DataView, off: number, end: number, sink: FrameSink): number {
        const start = off;
        const le = this.#le;
        const ab = buf.buffer;
        const base = buf.byteOffset;
        const linkType = this.#pcapLinkType;
        const div = this.#pcapDiv;
        const maxCap = this.#maxCapLen;
        while (this.#state === ST_PCAP) {
            if (end - off < PCAP_RECORD) {
                this.#need = PCAP_RECORD;
                break;
            }
            const caplen = dv.getUint32(off + 8, le);
            if (caplen > maxCap) {
                // No resync marker in pcap: a wild length means everything after it is garbage.
                this.#markCorrupt(this.#bytes + (off - start), `record captured length ${caplen} exceeds ${maxCap}`);
                break;
            }
            const total = PCAP_RECORD + caplen;
            if (end - off < total) {
                this.#need = total;
                break;
            }
            this.#frames++;
            const frame: CapturedFrame = {
                ts: dv.getUint32(off, le) + dv.getUint32(off + 4, le) / div,
                linkType,
                bytes: new Uint8Array(ab, base + off + PCAP_RECORD, caplen),
                origLen: dv.getUint32(off + 12, le),
                ifIndex: 0,
            };
            off += total;
            sink(frame);
        }
        this.#bytes += off - start;
        return off;
    }

    #runNg(buf: Uint8Array, dv: DataView, off: number, end: number, sink: FrameSink): number {
        const start = off;
        const ab = buf.buffer;
        const base = buf.byteOffset;
        const maxBlock = this.#maxBlockSize;
        let le = this.#le;
        while (this.#state === ST_NG) {
            if (end - off < NG_MIN_BLOCK) {
                this.#need = NG_MIN_BLOCK;
                break;
            }
            const type = dv.getUint32(off, le);
            if (type === NG_SHB) {
                // The SHB type is a palindrome; its byte-order magic sets the order of this section.
                const bom = dv.getUint32(off + 8, true);
                if (bom === NG_BOM) le = true;
                else if (bom === NG_BOM_SWAPPED) le = false;
                else {
                    const at = this.#bytes + (off - start);
                    if (at === 0) {
                        this.#state = ST_DONE;
                        throw new CaptureError(
                            "CAPTURE_FORMAT",
                            `${this.#name}: not a pcap or pcapng file (starts with ${hexPrefix(buf, off, end)})`,
                            { name: this.#name, magic: "0a0d0d0a" },
                        );
                    }
                    this.#markCorrupt(at, "section header with bad byte-order magic");
                    break;
                }
                this.#le = le;
            }
            const total = dv.getUint32(off + 4, le);
            if (
                total < NG_MIN_BLOCK ||
                (total & 3) !== 0 ||
                total > maxBlock ||
                (type === NG_SHB && total < NG_MIN_SHB)
            ) {
                this.#markCorrupt(this.#bytes + (off - start), `block type ${type} with bad total length ${total}`);
                break;
            }
            if (end - off < total) {
                this.#need = total;
                break;
            }
            if (dv.getUint32(off + total - 4, le) !== total) {
                this.#markCorrupt(this.#bytes + (off - start), `block type ${type} trailing length does not match`);
                break;
            }
            const blockStart = off;
            off += total;
            if (this.#skipSection && type !== NG_SHB) {
                this.#skippedBlocks++;
                continue;
            }
            if (type === NG_EPB || type === NG_PB) {
                if (total < NG_MIN_EPB) {
                    this.#malformed++;
                    continue;
                }
                const iface =
                    this.#secIfaces[
                        type === NG_EPB ? dv.getUint32(blockStart + 8, le) : dv.getUint16(blockStart + 8, le)
                    ];
                const caplen = dv.getUint32(blockStart + 20, le);
                if (iface === undefined || caplen > total - NG_MIN_EPB || caplen > this.#maxCapLen) {
                    this.#malformed++;
                    continue;
                }
                const ts =
                    (dv.getUint32(blockStart + 12, le) * TWO_32 + dv.getUint32(blockStart + 16, le)) /
                        iface.unitsPerSec +
                    iface.tsOffset;
                this.#lastTs = ts;
                this.#frames++;
                const frame: CapturedFrame = {
                    ts,
                    linkType: iface.linkType,
                    bytes: new Uint8Array(ab, base + blockStart + 28, caplen),
                    origLen: dv.getUint32(blockStart + 24, le),
                    ifIndex: iface.index,
                };
                sink(frame);
            } else if (type === NG_SHB) {
                const major = dv.getUint16(blockStart + 12, le);
                this.#secIfaces = [];
                this.#skipSection = major !== 1;
                if (this.#skipSection) {
                    if (this.#bytes + (blockStart - start) === 0) {
                        this.#state = ST_DONE;
                        throw new CaptureError(
                            "CAPTURE_FORMAT",
                            `${this.#name}: unsupported pcapng version ${major}.${dv.getUint16(blockStart + 14, le)}`,
                            { name: this.#name, major },
                        );
                    }
                    this.#skippedBlocks++;
                }
            } else if (type === NG_IDB) {
                this.#readIdb(buf, dv, blockStart, total, le);
            } else if (type === NG_SPB) {
                const iface = this.#secIfaces[0];
                if (total < NG_MIN_SPB || iface === undefined) {
                    this.#malformed++;
                    continue;
                }
                const origLen = dv.getUint32(blockStart + 8, le);
                let caplen = Math.min(origLen, total - NG_MIN_SPB);
                if (iface.snaplen > 0 && iface.snaplen < caplen) caplen = iface.snaplen;
                if (caplen > this.#maxCapLen) {
                    this.#malformed++;
                    continue;
                }
                this.#frames++;
                // SPBs carry no timestamp: reuse the previous one so downstream clocks never jump back to 1970.
                const frame: CapturedFrame = {
                    ts: this.#lastTs,
                    linkType: iface.linkType,
                    bytes: new Uint8Array(ab, base + blockStart + 12, caplen),
                    origLen,
                    ifIndex: iface.index,
                };
                sink(frame);
            } else {
                this.#skippedBlocks++;
            }
        }
        this.#bytes += off - start;
        return off;
    }

    #readIdb(buf: Uint8Array, dv: DataView, off: number, total: number, le: boolean): void {
        if (total < NG_MIN_IDB) {
            this.#malformed++;
            return;
        }
        let unitsPerSec = 1e6;
        let tsOffset = 0;
        const optEnd = off + total - 4;
        for (let o = off + 16; o + 4 <= optEnd; ) {
            const code = dv.getUint16(o, le);
            const olen = dv.getUint16(o + 2, le);
            if (code === 0) break;
            if (o + 4 + olen > optEnd) {
                this.#malformed++;
                break;
            }
            if (code === OPT_TSRESOL && olen >= 1) {
                const v = buf[o + 4] ?? 6;
                unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
            } else if (code === OPT_TSOFFSET && olen >= 8) {
                const hi = dv.getInt32(o + (le ? 8 : 4), le);
                const lo = dv.getUint32(o + (le ? 4 : 8), le);
                tsOffset = hi * TWO_32 + lo;
            }
            o += 4 + ((olen + 3) & ~3);
        }
        const iface: Iface = {
            index: this.#ifaces.length,
            linkType: dv.getUint16(off + 8, le),
            snaplen: dv.getUint32(off + 12, le),
            unitsPerSec,
            tsOffset,
        };
        this.#ifaces.push(iface);
        this.#secIfaces.push(iface);
    }
}

/** Parses a whole in-memory capture (tests, small tools); same semantics as push + end. */
export function parseCapture(bytes: Uint8Array, sink: FrameSink, opts?: CaptureFileParserOptions): CaptureFileStats {
    const parser = new CaptureFileParser(opts);
    parser.push(bytes, sink);
    return parser.end();
}

/** Options for `readCaptureFile`. */
export interface ReadCaptureFileOptions extends CaptureFileParserOptions {
    /** Read from this stream instead of opening `path` (tests, sockets); it is paused, not destroyed, when done. */
    input?: Readable;
    /** Stops reading early; the promise then resolves with `stopped: true`. */
    signal?: AbortSignal;
    /** Read size for files. Default 1 MiB. */
    highWaterMark?: number;
}

/** Streams a pcap/pcapng file ("-" = stdin) through the sink; resolves with stats, rejects with CaptureError. */
export function readCaptureFile(
    path: string,
    sink: FrameSink,
    opts: ReadCaptureFileOptions = {},
): Promise<CaptureFileStats> {
    const name = opts.name ?? (path === "-" && opts.input === undefined ? "stdin" : path);
    const parser = new CaptureFileParser({ ...opts, name });
    const signal = opts.signal;
    if (signal?.aborted) {
        parser.stop();
        return Promise.resolve(parser.stats());
    }
    const owned = opts.input === undefined && path !== "-";
    const stream: Readable =
        opts.input ??
        (path === "-" ? process.stdin : createReadStream(path, { highWaterMark: opts.highWaterMark ?? 1 << 20 }));

    return new Promise<CaptureFileStats>((resolve, reject) => {
        let settled = false;
        let received = 0;
        const finish = (err: unknown, stats?: CaptureFileStats): void => {
            if (settled) return;
            settled = true;
            stream.off("data", onData);
            stream.off("end", onEnd);
            stream.off("error", onError);
            signal?.removeEventListener("abort", onAbort);
            // A destroyed stream drops later errors, so detaching our error listener is safe.
            if (owned) stream.destroy();
            else stream.pause();
            if (stats !== undefined) resolve(stats);
            else reject(err);
        };
        const onData = (chunk: Uint8Array | string): void => {
            if (typeof chunk === "string") {
                finish(new CaptureError("CAPTURE_OPEN", `${name}: stream has a text encoding set`, { name }));
                return;
            }
            received += chunk.length;
            try {
                parser.push(chunk, sink);
            } catch (err) {
                finish(err);
                return;
            }
            if (parser.done && !settled) finish(undefined, parser.end());
        };
        const onEnd = (): void => {
            try {
                finish(undefined, parser.end());
            } catch (err) {
                finish(err);
            }
        };
        const onError = (err: Error & { code?: string }): void => {
            const code = received === 0 ? "CAPTURE_OPEN" : "CAPTURE_READ";
            const verb = received === 0 ? "cannot open" : "cannot read";
            finish(
                new CaptureError(
                    code,
                    `${verb} capture ${name}: ${err.message}`,
                    { name, errno: err.code ?? null },
                    {
                        cause: err,
                    },
                ),
            );
        };
        const onAbort = (): void => {
            parser.stop();
            finish(undefined, parser.end());
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        stream.on("error", onError);
        stream.on("end", onEnd);
        stream.on("data", onData);
        stream.resume(); // also restarts an input that was explicitly paused
    });
}
