/** Flash states built from the released snapshot fixtures (test/fixtures/store), for restart tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallBackRequest } from "../../src/callback/types.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { decodeSlot, encodeSlot } from "../../src/store/slots.js";
import { decodePayload, encodeSnapshot, FORMAT_PROTOBUF } from "../../src/store/snapshotCodec.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/store");

/**
 * The format-2 fixture on a fresh in-memory flash, with its notified request's push in flight (no outcome
 * yet): a restart must push that notification again.
 */
export function notificationInFlight(): { fs: MemoryFlashFs; notified: CallBackRequest } {
    const slot = decodeSlot(readFileSync(join(FIXTURES, "snapshot-format2-schema1.slot")));
    if (typeof slot === "string") throw new Error(slot);
    const content = decodePayload(slot.formatVersion, slot.payload);
    const notified = content.engine.requests.find((r) => r.phase === "notified");
    if (notified?.delivery == null) throw new Error("fixture has no notified request");
    const delivery = { ...notified.delivery, inFlight: true, lastCode: null };
    const requests = content.engine.requests.map((r) => (r === notified ? { ...r, delivery } : r));
    const fs = new MemoryFlashFs();
    const payload = encodeSnapshot({ ...content, engine: { ...content.engine, requests } });
    fs.poke("state.a", encodeSlot({ formatVersion: FORMAT_PROTOBUF, generation: 9n, payload }));
    return { fs, notified };
}
