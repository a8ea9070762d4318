/**
 * The one place the ingest pipeline is assembled: frames → wire (decoding, TCP reassembly) → protocol
 * dispatcher → the SCCP and QBE stream decoders chosen by server port. `callbackd run` (the service),
 * `replay`, `decode` and the tests all build it here; they differ only in the options.
 */
import { type ProtocolDecoderFactory, ProtocolDispatcher, type ProtocolRoute } from "../protocol/dispatcher.js";
import type { RecordSink } from "../protocol/records.js";
import { type QbeStreamOptions, qbeRoute } from "../qbe/stream.js";
import { type SccpStreamOptions, sccpRoute } from "../sccp/stream.js";
import { WirePipeline } from "../wire/pipeline.js";
import type { ReassemblyOptions } from "../wire/reassembly.js";

/** Options per protocol decoder. */
export interface RouteOptions {
    sccp?: SccpStreamOptions;
    qbe?: QbeStreamOptions;
}

/** The protocol decoders the product knows, by the ports configured for them. */
export function protocolRoutes(
    sccpPorts: readonly number[],
    qbePorts: readonly number[],
    opts: RouteOptions = {},
): ProtocolRoute[] {
    return [sccpRoute(sccpPorts, opts.sccp), qbeRoute(qbePorts, opts.qbe)];
}

/** Options of `ingestPipeline`. */
export interface IngestOptions {
    /** The decoders by port (usually `protocolRoutes(...)`). */
    routes: readonly ProtocolRoute[];
    /** Receives every protocol record (default: none wanted). */
    emit?: RecordSink;
    /** Decoder for connections no route claims (default none: they are not decoded). */
    fallback?: ProtocolDecoderFactory | null;
    /** Reassembly limits and the server ports (direction of connections joined mid-stream). */
    reassembly?: Partial<ReassemblyOptions>;
}

/** Builds the pipeline; feed it frames with `onFrame`, end it with `finish()`. */
export function ingestPipeline(opts: IngestOptions): WirePipeline {
    const dispatcher = new ProtocolDispatcher(opts.routes, opts.emit ?? (() => {}), opts.fallback ?? null);
    return new WirePipeline(dispatcher, opts.reassembly);
}
