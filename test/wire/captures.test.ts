import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { readCaptureFile } from "../../src/capture/pcapFile.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { Direction, TcpConnection } from "../../src/wire/reassembly.js";
import { RecordingConsumer } from "../helpers/segments.js";
import { needTool } from "../helpers/tools.js";

const dir = join(import.meta.dirname, "../fixtures/captures");
const files = readdirSync(dir).sort();

interface FollowedStream {
    nodes: [string, string];
    /** hex of what each node sent */
    sent: [string, string];
}

/** Every TCP stream of a capture as tshark's `follow,tcp,raw` reassembles it. */
function tsharkStreams(file: string): FollowedStream[] {
    const ids = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "tcp.stream"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
    })
        .split("\n")
        .filter((s) => s !== "");
    const unique = [...new Set(ids)].map(Number).sort((a, b) => a - b);
    const args = ["-r", file, "-q"];
    for (const id of unique) args.push("-z", `follow,tcp,raw,${id}`);
    const out = execFileSync("tshark", args, {
        encoding: "utf8",
        maxBuffer: 64 << 20,
        stdio: ["ignore", "pipe", "ignore"],
    });
    const streams: FollowedStream[] = [];
    let cur: FollowedStream | null = null;
    for (const line of out.split("\n")) {
        if (line.startsWith("Follow: tcp,raw")) {
            cur = { nodes: ["", ""], sent: ["", ""] };
            streams.push(cur);
        } else if (cur !== null && /^Node [01]: /.test(line)) {
            cur.nodes[Number(line[5])] = line.slice(8);
        } else if (cur !== null && /^\t?[0-9a-f]+$/.test(line)) {
            if (line.startsWith("\t")) cur.sent[1] += line.slice(1);
            else cur.sent[0] += line;
        }
    }
    return streams;
}

t.test(
    "every shipped capture reassembles to exactly the bytes tshark follows",
    { skip: needTool("tshark", "tshark") },
    async (t) => {
        for (const name of files) {
            const file = join(dir, name);
            const rec = new RecordingConsumer();
            const pipeline = new WirePipeline(rec);
            await readCaptureFile(file, pipeline.onFrame);
            pipeline.finish();
            const ours = new Map<string, Array<{ id: number; client: string; server: string }>>();
            for (const e of rec.events) {
                if (e.kind !== "open") continue;
                const key = [e.client, e.server].sort().join(" ");
                ours.set(key, [...(ours.get(key) ?? []), { id: e.conn, client: e.client, server: e.server }]);
            }
            const theirs = tsharkStreams(file);
            t.ok(theirs.length > 0, `${name}: tshark sees TCP streams`);
            let compared = 0;
            for (const s of theirs) {
                const key = [...s.nodes].sort().join(" ");
                const list = ours.get(key);
                const conn = list?.shift();
                if (conn === undefined) {
                    // tshark lists a stream for a lone pure ACK; we only track connections with a SYN or data.
                    t.equal(s.sent[0] + s.sent[1], "", `${name}: ${key} untracked only when it carries no data`);
                    continue;
                }
                const hex = (d: Direction) => Buffer.from(rec.streams.get(`${conn.id}:${d}`) ?? []).toString("hex");
                const byNode = (node: string) =>
                    node === conn.client ? hex(Direction.ClientToServer) : hex(Direction.ServerToClient);
                t.equal(byNode(s.nodes[0]), s.sent[0], `${name}: ${s.nodes[0]} → ${s.nodes[1]}`);
                t.equal(byNode(s.nodes[1]), s.sent[1], `${name}: ${s.nodes[1]} → ${s.nodes[0]}`);
                compared++;
            }
            t.ok(compared > 0, `${name}: ${compared} streams compared`);
            t.equal(pipeline.reassembler.stats.gaps, 0, `${name}: no gaps`);
            t.equal(TcpConnection.format({ addr: "::1", port: 1 }), "[::1]:1");
        }
    },
);
