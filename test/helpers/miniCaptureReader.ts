// Minimal pcap/pcapng reader for the wire tests (independent of src/capture, which another module owns).
import type { CapturedFrame } from "../../src/capture/frame.js";

/** Reads every packet of a classic pcap or pcapng file into frames (views of `file`). */
export function readCapture(file: Uint8Array): CapturedFrame[] {
    const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const magic = dv.getUint32(0, false);
    if (magic === 0x0a0d0d0a) return readPcapng(file, dv);
    const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error("not a pcap or pcapng file");
    const linkType = dv.getUint32(20, le) & 0xffff;
    const frames: CapturedFrame[] = [];
    for (let off = 24; off + 16 <= file.length; ) {
        const sec = dv.getUint32(off, le);
        const frac = dv.getUint32(off + 4, le);
        const incl = dv.getUint32(off + 8, le);
        const origLen = dv.getUint32(off + 12, le);
        const ts = sec + frac / (nano ? 1e9 : 1e6);
        frames.push({ ts, linkType, bytes: file.subarray(off + 16, off + 16 + incl), origLen, ifIndex: 0 });
        off += 16 + incl;
    }
    return frames;
}

/** pcapng: section headers (byte order), interface descriptions (link types), enhanced/simple packet blocks. */
function readPcapng(file: Uint8Array, dv: DataView): CapturedFrame[] {
    const frames: CapturedFrame[] = [];
    let le = true;
    let interfaces: number[] = [];
    for (let off = 0; off + 12 <= file.length; ) {
        let type = dv.getUint32(off, le);
        if (type === 0x0a0d0d0a) {
            le = dv.getUint32(off + 8, true) === 0x1a2b3c4d;
            type = 0x0a0d0d0a;
            interfaces = [];
        }
        const len = dv.getUint32(off + 4, le);
        if (len < 12 || off + len > file.length) break;
        if (type === 1) {
            interfaces.push(dv.getUint16(off + 8, le));
        } else if (type === 6) {
            const ifIndex = dv.getUint32(off + 8, le);
            const ts = (dv.getUint32(off + 12, le) * 2 ** 32 + dv.getUint32(off + 16, le)) / 1e6;
            const capLen = dv.getUint32(off + 20, le);
            const origLen = dv.getUint32(off + 24, le);
            const linkType = interfaces[ifIndex] ?? -1;
            frames.push({ ts, linkType, bytes: file.subarray(off + 28, off + 28 + capLen), origLen, ifIndex });
        } else if (type === 3) {
            const origLen = dv.getUint32(off + 8, le);
            const capLen = Math.min(origLen, len - 16);
            frames.push({
                ts: 0,
                linkType: interfaces[0] ?? -1,
                bytes: file.subarray(off + 12, off + 12 + capLen),
                origLen,
                ifIndex: 0,
            });
        }
        off += len;
    }
    return frames;
}
