/**
 * What the protocol layer emits for each decoded message (and for each stream event worth reporting).
 * `callbackd decode --json` prints exactly this shape, one per line; tools outside the project read it.
 */
export interface ProtocolRecord {
    /** Capture time, seconds since the epoch. */
    t: number;
    /** "sccp", "qbe", or "tcp" for streams on ports no decoder claims. */
    proto: string;
    /** "a.b.c.d:port" of the sender and receiver. */
    src: string;
    dst: string;
    /** Header version (SCCP) when the protocol has one. */
    hv?: number;
    /** Message id when the protocol has one. */
    id?: number;
    /** Message name, or a stream event: "Gap", "Resync", "Data" (raw TCP). */
    name: string;
    fields: Record<string, unknown>;
}

export type RecordSink = (record: ProtocolRecord) => void;
