/**
 * tshark as an oracle for the SCCP codec: per-stream reassembled bytes (`-z follow,tcp,raw`) and the
 * skinny dissector's view of every message (`-T json`), independent of callbackd's own capture pipeline.
 */
import { spawnSync } from "node:child_process";

/** One TCP payload chunk in capture order; dir 0 = from the stream's first sender (node 0). */
export interface FollowChunk {
    dir: 0 | 1;
    bytes: Uint8Array;
}

/** One reassembled TCP stream. */
export interface FollowStream {
    stream: number;
    node0: string;
    node1: string;
    chunks: FollowChunk[];
}

/** One message as Wireshark dissected it: header values and leaf fields in tree order. */
export interface TsharkMessage {
    stream: number;
    src: string;
    hv: number;
    id: number;
    leaves: [string, string][];
    malformed: boolean;
}

function run(args: string[]): string {
    const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (r.error !== undefined) throw r.error;
    if (r.status !== 0) throw new Error(`tshark ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
}

/** TCP streams of the capture that carry payload. */
export function streamsWithPayload(pcap: string): number[] {
    const out = run(["-r", pcap, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.stream"]);
    return [
        ...new Set(
            out
                .split("\n")
                .filter((l) => l !== "")
                .map(Number),
        ),
    ].sort((a, b) => a - b);
}

function hexBytes(h: string): Uint8Array {
    const b = new Uint8Array(h.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = Number.parseInt(h.substr(2 * i, 2), 16);
    return b;
}

/** Reassembled payload chunks of the given streams, via `tshark -q -z follow,tcp,raw,N`. */
export function followStreams(pcap: string, streams: number[]): FollowStream[] {
    if (streams.length === 0) return [];
    const args = ["-r", pcap, "-q"];
    for (const s of streams) args.push("-z", `follow,tcp,raw,${s}`);
    const out = run(args);
    const result: FollowStream[] = [];
    let cur: FollowStream | undefined;
    for (const line of out.split("\n")) {
        const f = /^Filter: tcp\.stream eq (\d+)/.exec(line);
        if (f !== null) {
            cur = { stream: Number(f[1]), node0: "", node1: "", chunks: [] };
            result.push(cur);
            continue;
        }
        if (cur === undefined) continue;
        const n = /^Node ([01]): (.*)$/.exec(line);
        if (n !== null) {
            if (n[1] === "0") cur.node0 = n[2] as string;
            else cur.node1 = n[2] as string;
            continue;
        }
        const d = /^(\t?)([0-9a-f]+)$/.exec(line);
        if (d !== null) cur.chunks.push({ dir: d[1] === "\t" ? 1 : 0, bytes: hexBytes(d[2] as string) });
    }
    return result;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function flatten(o: Json, out: [string, string][]): void {
    if (Array.isArray(o)) {
        for (const x of o) flatten(x, out);
        return;
    }
    if (o === null || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
        // --no-duplicate-keys turns repeated keys into arrays of values or of subtrees.
        const items = Array.isArray(v) ? v : [v];
        for (const x of items) {
            if (x !== null && typeof x === "object") flatten(x, out);
            else if (k.startsWith("skinny.")) out.push([k.slice(7), String(x)]);
        }
    }
}

/** Every skinny message tshark dissects, in frame order, with its stream and sender "ip:port". */
export function tsharkMessages(pcap: string): TsharkMessage[] {
    const packets = JSON.parse(run(["-r", pcap, "-Y", "skinny", "-T", "json", "--no-duplicate-keys"])) as Json[];
    const result: TsharkMessage[] = [];
    for (const p of packets) {
        const layers = (p as { _source: { layers: Record<string, Json> } })._source.layers;
        const tcp = layers.tcp as Record<string, Json>;
        const ip = (layers.ip ?? layers.ipv6) as Record<string, Json>;
        const src = `${String(ip["ip.src"] ?? ip["ipv6.src"])}:${String(tcp["tcp.srcport"])}`;
        const stream = Number(tcp["tcp.stream"]);
        const skinny = layers.skinny;
        const list = Array.isArray(skinny) ? skinny : [skinny as Json];
        // Wireshark marks the whole frame malformed when any PDU in it throws; note it on the last PDU.
        const malformedFrame = layers["_ws.malformed"] !== undefined;
        list.forEach((m, i) => {
            const leaves: [string, string][] = [];
            flatten(m, leaves);
            const get = (k: string) => leaves.find(([n]) => n === k)?.[1];
            result.push({
                stream,
                src,
                hv: Number(get("hdr_version")),
                id: Number(get("messageId")),
                leaves,
                malformed: malformedFrame && i === list.length - 1,
            });
        });
    }
    return result;
}

/** Parses a tshark display value: hex ("0x0000001f") or decimal to a number, else undefined. */
export function tsharkNumber(v: string): number | undefined {
    if (/^0x[0-9a-f]+$/i.test(v)) return Number.parseInt(v, 16);
    if (/^\d+$/.test(v)) return Number(v);
    return undefined;
}
