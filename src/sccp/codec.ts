/**
 * SCCP codec: decode a body into Wireshark-named fields by (id, body length, header version), and encode
 * fields back into a byte-exact frame. Layouts come from `tables/layouts.ts`; this file only interprets them.
 *
 * Byte exactness: when a body holds bytes the clean encoding would not reproduce (garbage after a NUL,
 * unknown trailing bytes, a non-canonical variant), the decoder attaches a copy of the body as `raw`, and
 * `encodeSccp` emits it as long as the fields still equal what `raw` decodes to.
 *
 * The codec is split by direction: codec/types.ts (shapes, limits), codec/catalog.ts (names and layouts by
 * id), codec/decode.ts and codec/encode.ts; this module re-exports them and builds the CLI's records.
 */

export {
    hasSccpLayout,
    isKnownSccpId,
    sccpMaxBody,
    sccpMessageName,
    sccpMinBody,
} from "./codec/catalog.js";
export { decodeSccpBody, decodeSccpBodyAt, decodeSccpFrame } from "./codec/decode.js";
export { encodeSccp, sameSccpFields } from "./codec/encode.js";
export {
    SCCP_HEADER_SIZE,
    SCCP_MAX_LENGTH,
    SccpEncodeError,
    type SccpFields,
    type SccpMessage,
    type SccpValue,
} from "./codec/types.js";

import type { SccpFields, SccpMessage } from "./codec/types.js";

/** The JSON record of a message as the CLI prints it (without t/src/dst, which the pipeline adds). */
export interface SccpRecord {
    hv?: number;
    id?: number;
    name: string;
    fields: SccpFields;
}

/** Record for a decoded message: `{hv, id, name, fields}`. */
export function sccpRecord(msg: SccpMessage): SccpRecord {
    return { hv: msg.hv, id: msg.id, name: msg.name, fields: msg.fields };
}

/** Record for bytes lost before the framer (capture or reassembly gap) and a partial message dropped. */
export function sccpGapRecord(missedBytes: number, discardedBytes: number): SccpRecord {
    return { name: "Gap", fields: { missedBytes, discardedBytes } };
}

/** Record for bytes skipped while searching for the next plausible header. */
export function sccpResyncRecord(skippedBytes: number): SccpRecord {
    return { name: "Resync", fields: { skippedBytes } };
}
