/** Simulated 79xx XSI phone service (push and pull). */

export { clipDurationMs, isValidRawSize, RAW_BYTES_PER_SECOND } from "./audio.js";
export { parseBasicAuth } from "./auth.js";
export { acceptLanguage, phoneHeaders } from "./client.js";
export { XsiSimError } from "./errors.js";
export { errorXml, type ResponseItem, responseXml, XsiError } from "./objects.js";
export {
    hasXmllint,
    type SchemaResult,
    schemaOrderedXml,
    toSchemaOrder,
    validateXsi,
    XSD_URL,
    xsdPath,
} from "./schema.js";
export {
    type DroppedItem,
    type FetchRecord,
    MAX_PUSH_BYTES,
    realClock,
    type UriRecord,
    XsiPhoneService,
} from "./service.js";
export type * from "./types.js";
export { parseXml, serializeXml, type XmlElement, type XmlNode } from "./xml.js";
