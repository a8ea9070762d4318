/**
 * `callbackd decode --json` against tshark on every shipped capture, end to end: file reader, wire decoding,
 * reassembly, SCCP framer and codec. The sequence of (sender, message id) must be identical, and every field
 * both decode must be equal (cases where Wireshark is known to be wrong are named, with the reason).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import type { SccpMessage } from "../../src/sccp/codec.js";
import { needTool } from "../helpers/tools.js";
import { compareMessage } from "../sccp/helpers/compare.js";
import { KNOWN } from "../sccp/helpers/known.js";
import { tsharkMessages } from "../sccp/helpers/tshark.js";

const dir = join(import.meta.dirname, "../fixtures/captures");
const skip = needTool("tshark", "tshark");

async function decodeJson(file: string): Promise<ProtocolRecord[]> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const code = await main(["decode", "--json", file], { out, err: new PassThrough(), env: {} });
    if (code !== 0) throw new Error(`decode exited ${code}`);
    return Buffer.concat(chunks)
        .toString()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as ProtocolRecord);
}

for (const name of readdirSync(dir).sort()) {
    t.test(`callbackd decode --json agrees with tshark: ${name}`, { skip }, async (t) => {
        const file = join(dir, name);
        const records = await decodeJson(file);
        const sccp = records.filter((r) => r.proto === "sccp" && r.id !== undefined);
        t.same(
            records.filter((r) => r.name === "Gap" || r.name === "Resync"),
            [],
            "no gaps or resyncs in a clean capture",
        );
        for (const r of sccp) {
            t.equal(typeof r.t, "number");
            t.match(r.src, /^\d+\.\d+\.\d+\.\d+:\d+$/);
        }
        const ws = tsharkMessages(file);
        t.same(
            sccp.map((r) => `${r.src} ${r.id}`),
            ws.map((w) => `${w.src} ${w.id}`),
            `same sequence of (sender, message id) as tshark (${ws.length} messages)`,
        );
        const diffs: string[] = [];
        let compared = 0;
        sccp.forEach((r, i) => {
            const w = ws[i];
            const msg = { hv: r.hv, id: r.id, name: r.name, fields: r.fields } as SccpMessage;
            if (w === undefined || KNOWN.some((k) => k.id === msg.id && k.when(msg))) return;
            compared++;
            for (const d of compareMessage(msg, w)) diffs.push(`#${i} ${r.name}: ${d}`);
        });
        t.same(diffs, [], `field values equal tshark's for ${compared} messages`);
    });
}
