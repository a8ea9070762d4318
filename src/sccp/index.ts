/** SCCP (Skinny) protocol layer: framer, codec, connection context and tables. */
export {
    decodeSccpBody,
    decodeSccpBodyAt,
    decodeSccpFrame,
    encodeSccp,
    hasSccpLayout,
    isKnownSccpId,
    SCCP_HEADER_SIZE,
    SCCP_MAX_LENGTH,
    SccpEncodeError,
    type SccpFields,
    type SccpMessage,
    type SccpRecord,
    type SccpValue,
    sameSccpFields,
    sccpGapRecord,
    sccpMaxBody,
    sccpMessageName,
    sccpRecord,
    sccpResyncRecord,
} from "./codec.js";
export { SccpConnectionContext, type SccpDecodeStats } from "./context.js";
export { SccpFramer, type SccpFramerStats, type SccpFrameSink } from "./framer.js";
export { renderLabels } from "./text.js";
