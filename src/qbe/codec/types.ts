/** QBE codec shapes: header constants, decoded and encodable values, the encode error (QBE-REFERENCE.md §2-§3). */
import { CallbackdError } from "../../errors.js";

/** Header constants. */
export const QBE_HEADER_SIZE = 32;
export const QBE_MAGIC = 0xffffdddd;
export const QBE_VERSION = 0x00110000;

/** A byte array field: hex, plus the text when every byte is printable ASCII (tab, CR, LF allowed). */
export interface QbeBytes {
    hex: string;
    ascii?: string;
}

/** A decoded value: int32 → number, bool32 → boolean, strings → text or null, elements → objects. */
export type QbeValue = number | boolean | string | null | QbeBytes | QbeFields | QbeValue[];

/** Decoded fields by their schema.json names. */
export interface QbeFields {
    [name: string]: QbeValue;
}

/** What `encodeQbe` accepts: decoded values, plus Uint8Array for byte arrays and undefined for defaults. */
export type QbeInputValue = QbeValue | Uint8Array | undefined | QbeInputFields | QbeInputValue[];

/** Fields to encode, by their schema.json names. */
export interface QbeInputFields {
    [name: string]: QbeInputValue;
}

/** One decoded frame. */
export interface QbeMessage {
    id: number;
    /** Class name as in ids.tsv; the constant for ids without a class; "Unknown" outside the table. */
    name: string;
    /** False when this client version has no layout for the id: `fields` then describe the raw body. */
    known: boolean;
    fields: QbeFields;
    /** Frame size in bytes. */
    size: number;
    /** Anomalies met while decoding (descriptors outside the frame, cut slots, ...); absent when clean. */
    problems?: string[];
}

/** Thrown by `encodeQbe` for an unknown id or a value that does not fit its wire type. */
export class QbeEncodeError extends CallbackdError {}

/** Header words of a frame. */
export interface QbeHeader {
    length: number;
    reserved: number;
    magic: number;
    version: number;
    messageId: number;
    headerSize: number;
    fixedSize: number;
    varSize: number;
}
