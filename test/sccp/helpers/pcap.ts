/** Writes SCCP frames into a classic pcap (Ethernet/IPv4/TCP, one TCP stream) for tshark to dissect. */
import { writeFileSync } from "node:fs";

/** One frame: SCCP bytes and whether the phone (client, port 50000) or the CM (port 2000) sent them. */
export interface PcapFrame {
    fromPhone: boolean;
    bytes: Uint8Array;
}

/** Writes the frames as one TCP connection 10.0.0.1:50000 <-> 10.0.0.2:2000 with consistent sequence numbers. */
export function writeSccpPcap(path: string, frames: PcapFrame[]): void {
    const parts: Buffer[] = [];
    const gh = Buffer.alloc(24);
    gh.writeUInt32LE(0xa1b2c3d4, 0);
    gh.writeUInt16LE(2, 4);
    gh.writeUInt16LE(4, 6);
    gh.writeUInt32LE(65535, 16);
    gh.writeUInt32LE(1, 20);
    parts.push(gh);
    const seq = [1000, 5000]; // phone, CM
    frames.forEach((f, i) => {
        const payload = Buffer.from(f.bytes);
        const tcp = Buffer.alloc(20);
        const me = f.fromPhone ? 0 : 1;
        tcp.writeUInt16BE(f.fromPhone ? 50000 : 2000, 0);
        tcp.writeUInt16BE(f.fromPhone ? 2000 : 50000, 2);
        tcp.writeUInt32BE(seq[me] as number, 4);
        tcp.writeUInt32BE(seq[1 - me] as number, 8);
        tcp[12] = 0x50;
        tcp[13] = 0x18;
        tcp.writeUInt16BE(65535, 14);
        seq[me] = ((seq[me] as number) + payload.length) >>> 0;
        const ip = Buffer.alloc(20);
        ip[0] = 0x45;
        ip.writeUInt16BE(20 + 20 + payload.length, 2);
        ip.writeUInt16BE(i & 0xffff, 4);
        ip[8] = 64;
        ip[9] = 6;
        Buffer.from(f.fromPhone ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1]).copy(ip, 12);
        const eth = Buffer.from("000000000002000000000001" + "0800", "hex");
        const frame = Buffer.concat([eth, ip, tcp, payload]);
        const rh = Buffer.alloc(16);
        rh.writeUInt32LE(1_700_000_000 + i, 0);
        rh.writeUInt32LE(frame.length, 8);
        rh.writeUInt32LE(frame.length, 12);
        parts.push(rh, frame);
    });
    writeFileSync(path, Buffer.concat(parts));
}
