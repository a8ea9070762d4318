/**
 * Internal result codes shared by the link, IP and TCP steps of the wire decoder.
 * Steps return a non-negative value on success and one of these negative codes to drop the frame,
 * so the hot path never allocates a result object or throws.
 */
export const Drop = {
    UNSUPPORTED_LINK_TYPE: -1,
    NON_IP: -2,
    NON_TCP: -3,
    IP_FRAGMENT: -4,
    MALFORMED: -5,
} as const;

/** One of the Drop codes. */
export type DropCode = (typeof Drop)[keyof typeof Drop];
