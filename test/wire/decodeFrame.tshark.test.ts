import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { newWireCounters } from "../../src/wire/types.js";
import { readCapture } from "../helpers/miniCaptureReader.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const FILES = ["captures", "wire"].flatMap((dir) =>
    readdirSync(join(FIXTURES, dir))
        .filter((f) => /\.pcap(ng)?$/.test(f))
        .map((f) => join(FIXTURES, dir, f)),
);

const FIELDS = [
    "frame.number",
    "frame.protocols",
    "frame.len",
    "frame.cap_len",
    "ip.flags.mf",
    "ip.frag_offset",
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.flags",
    "tcp.window_size_value",
    "tcp.options.mss_val",
    "tcp.options.wscale.shift",
    "tcp.options.timestamp.tsval",
    "tcp.options.timestamp.tsecr",
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

/** tshark's view of every packet: first occurrence of each field (the outer headers). */
function tsharkRows(file: string): Row[] {
    const args = ["-r", file, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-T", "fields"];
    args.push("-E", "separator=/t", "-E", "occurrence=f", ...FIELDS.flatMap((f) => ["-e", f]));
    const out = execFileSync("tshark", args, {
        encoding: "utf8",
        maxBuffer: 64 << 20,
        stdio: ["ignore", "pipe", "ignore"],
    });
    return out
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
            const cols = line.split("\t");
            return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ""])) as Row;
        });
}

/** The decoder outcome tshark's dissection implies. */
function expectedOutcome(row: Row): string {
    const layers = row["frame.protocols"].split(":");
    const ip = layers.findIndex((l) => l === "ip" || l === "ipv6");
    if (ip < 0) return "nonIp";
    if (row["ip.flags.mf"] === "1" || (row["ip.frag_offset"] !== "" && row["ip.frag_offset"] !== "0")) {
        return "ipFragments";
    }
    let next = ip + 1;
    while (layers[next]?.startsWith("ipv6.") || layers[next] === "ah") next++;
    return layers[next] === "tcp" ? "tcp" : "nonTcp";
}

const tshark = spawnSync("tshark", ["-v"], { stdio: "ignore" });
if (tshark.error || tshark.status !== 0) {
    t.test("decoding agrees with tshark", { skip: "tshark is not installed (apt package `tshark`)" }, async () => {});
} else {
    for (const file of FILES) {
        t.test(`decoding agrees with tshark: ${file.slice(FIXTURES.length + 1)}`, async (t) => {
            const frames = readCapture(readFileSync(file));
            const rows = tsharkRows(file);
            t.equal(frames.length, rows.length, "same packet count");
            const counters = newWireCounters();
            const mismatches: string[] = [];
            let compared = 0;
            frames.forEach((f, i) => {
                const row = rows[i]!;
                const before = { ...counters };
                const seg = decodeFrame(f, counters);
                const moved = (
                    ["tcp", "nonIp", "nonTcp", "ipFragments", "malformed", "unsupportedLinkType"] as const
                ).filter((k) => counters[k] !== before[k]);
                const cut = Number(row["frame.cap_len"]) < Number(row["frame.len"]);
                const expected = expectedOutcome(row);
                if (moved.length !== 1 || (moved[0] !== expected && !(cut && moved[0] === "malformed"))) {
                    mismatches.push(`#${row["frame.number"]} ${row["frame.protocols"]}: got ${moved.join(",")}`);
                    return;
                }
                if (seg === null) return;
                const v = seg.ipVersion === 4 ? "ip" : "ipv6";
                const ours = [
                    seg.srcAddr,
                    seg.dstAddr,
                    seg.srcPort,
                    seg.dstPort,
                    seg.seq,
                    seg.ack,
                    seg.payload.length,
                    seg.flags,
                    seg.window,
                    seg.options.mss ?? "",
                    seg.options.windowScale ?? "",
                    seg.options.tsVal ?? "",
                    seg.options.tsEcr ?? "",
                ].join(" ");
                const theirs = [
                    row[`${v}.src`],
                    row[`${v}.dst`],
                    row["tcp.srcport"],
                    row["tcp.dstport"],
                    row["tcp.seq_raw"],
                    row["tcp.ack_raw"],
                    row["tcp.len"],
                    Number.parseInt(row["tcp.flags"], 16) & 0xff,
                    row["tcp.window_size_value"],
                    row["tcp.options.mss_val"],
                    row["tcp.options.wscale.shift"],
                    row["tcp.options.timestamp.tsval"],
                    row["tcp.options.timestamp.tsecr"],
                ].join(" ");
                if (ours !== theirs) mismatches.push(`#${row["frame.number"]}: ours ${ours} / tshark ${theirs}`);
                compared++;
            });
            t.same(mismatches.slice(0, 20), [], "no disagreement with tshark");
            t.equal(counters.frames, frames.length);
            t.ok(compared > 0, `${compared} TCP segments compared field by field`);
        });
    }
}
