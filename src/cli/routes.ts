import type { ProtocolRoute } from "../protocol/dispatcher.js";
import { type QbeStreamOptions, qbeRoute } from "../qbe/stream.js";
import { type SccpStreamOptions, sccpRoute } from "../sccp/stream.js";

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
