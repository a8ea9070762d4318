/**
 * The messages of each protocol generation, as field records for the codec. `CmWire` is what the
 * CallManager sends to one phone, `PhoneWire` what a phone sends; both pick the layout of the link's
 * generation (static CM 4.x, dynamic V20, or CallManager 2.x short bodies).
 *
 * This module gathers the rooms of dialect/: fields.ts (field readers, header versions, data records),
 * cmWire.ts, phoneWire.ts and localTime.ts (DefineTimeDate's calendar fields).
 */
export { CmWire } from "./dialect/cmWire.js";
export {
    type CallInfoData,
    type ForwardData,
    headerVersionOf,
    type MediaData,
    num,
    text,
} from "./dialect/fields.js";
export { type LocalTime, localTime } from "./dialect/localTime.js";
export { PhoneWire } from "./dialect/phoneWire.js";
