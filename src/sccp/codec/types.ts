/** The SCCP codec's shapes: decoded values and messages, frame limits, the encoder's error. */
import { CallbackdError } from "../../errors.js";

/** A decoded field value: number, text, numeric array, or array of sub-records. */
export type SccpValue = number | string | number[] | SccpFields[];

/** Decoded fields by Wireshark field name (without the `skinny.` prefix). */
export interface SccpFields {
    [name: string]: SccpValue;
}

/** One decoded SCCP message. `raw` (body copy) is present only when needed for byte-exact re-encoding. */
export interface SccpMessage {
    hv: number;
    id: number;
    name: string;
    fields: SccpFields;
    raw?: Uint8Array;
}

/** Size of the SCCP header: length, header version, message id. */
export const SCCP_HEADER_SIZE = 12;
/** Largest `length` word accepted (counts id + body); larger means the stream is out of sync. */
export const SCCP_MAX_LENGTH = 8192;

/** Thrown by `encodeSccp` for fields that do not fit any layout of the message. */
export class SccpEncodeError extends CallbackdError {}
