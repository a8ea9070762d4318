/** tshark's skinny dissection of a capture on any port (decode-as), as message tokens per sender. */
import { spawnSync } from "node:child_process";
import { SCCP_MESSAGE_TABLE } from "../../../src/sccp/tables/messages.js";

const NAMES = new Map<number, string>(SCCP_MESSAGE_TABLE.map(([id, name]) => [id, name]));

/** One message as tshark dissected it. */
export interface TsharkSkinny {
    stream: number;
    /** Sender "ip:port". */
    src: string;
    dst: string;
    id: number;
    name: string;
    /** skinny.* leaves (without the prefix), first value per name. */
    fields: Record<string, string>;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function leaves(o: Json, out: Record<string, string>): void {
    if (Array.isArray(o)) {
        for (const x of o) leaves(x, out);
        return;
    }
    if (o === null || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
        const items = Array.isArray(v) ? v : [v];
        for (const x of items) {
            if (x !== null && typeof x === "object") leaves(x, out);
            else if (k.startsWith("skinny.") && !(k.slice(7) in out)) out[k.slice(7)] = String(x);
        }
    }
}

function run(args: string[]): string {
    const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error !== undefined) throw r.error;
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout;
}

/** Frame numbers tshark marks malformed (decoding `port` as skinny). */
export function malformedFrames(pcap: string, port: number): string {
    return run([
        "-r",
        pcap,
        "-d",
        `tcp.port==${port},skinny`,
        "-Y",
        "_ws.malformed",
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]).trim();
}

/** Every skinny message of the capture in order. */
export function skinnyMessages(pcap: string, port: number): TsharkSkinny[] {
    const out = run([
        "-r",
        pcap,
        "-d",
        `tcp.port==${port},skinny`,
        "-Y",
        "skinny",
        "-T",
        "json",
        "--no-duplicate-keys",
    ]);
    const packets = JSON.parse(out) as Json[];
    const result: TsharkSkinny[] = [];
    for (const p of packets) {
        const layers = (p as { _source: { layers: Record<string, Json> } })._source.layers;
        const tcp = layers.tcp as Record<string, Json>;
        const ip = layers.ip as Record<string, Json>;
        const src = `${String(ip["ip.src"])}:${String(tcp["tcp.srcport"])}`;
        const dst = `${String(ip["ip.dst"])}:${String(tcp["tcp.dstport"])}`;
        const skinny = layers.skinny;
        for (const m of Array.isArray(skinny) ? skinny : [skinny as Json]) {
            const fields: Record<string, string> = {};
            leaves(m, fields);
            const id = Number(fields.messageId);
            result.push({ stream: Number(tcp["tcp.stream"]), src, dst, id, name: NAMES.get(id) ?? "Unknown", fields });
        }
    }
    return result;
}

/** A message as a token like the simulator tests use ("<CallState:3" from the CM, ">KeypadButton" to it). */
export function tsharkToken(m: TsharkSkinny, cmAddr: string): string {
    const dir = m.src.startsWith(`${cmAddr}:`) ? "<" : ">";
    const f = m.fields;
    const n = (k: string) => Number(f[k]);
    switch (m.name) {
        case "CallState":
            return `${dir}CallState:${n("callState")}`;
        case "StartTone":
            return `${dir}StartTone:0x${n("tone").toString(16)}`;
        case "SelectSoftKeys":
            return `${dir}SelectSoftKeys:${n("softKeySetIndex")}`;
        case "SetRinger":
            return `${dir}SetRinger:${n("ringMode")}`;
        case "SetLamp":
            return `${dir}SetLamp:${n("lampMode")}`;
        case "CallInfo":
        case "CallInfoV2":
            return `${dir}CallInfo:${n("callType")}`;
        default:
            return `${dir}${m.name}`;
    }
}
