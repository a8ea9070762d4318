import type { ProtocolRoute } from "../protocol/dispatcher.js";

/** The protocol decoders the product knows, by the ports configured for them. */
export function protocolRoutes(_sccpPorts: readonly number[], _qbePorts: readonly number[]): ProtocolRoute[] {
    // SCCP (issue B) and QBE (issue C) decoders plug in here.
    return [];
}
