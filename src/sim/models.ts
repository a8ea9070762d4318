/**
 * Phone models the simulator can play: device type (RegisterReq), the model name a 79xx sends in
 * `x-CiscoIPPhoneModelName`, a firmware load name, the protocol version it reports, line buttons and
 * whether it has softkeys. Codes follow src/sccp/tables/deviceTypes.ts (Wireshark 4.0).
 */
import type { SimGeneration } from "./types.js";

/** One phone model. */
export interface PhoneModelInfo {
    /** Short model, e.g. "7960". */
    readonly model: string;
    readonly deviceType: number;
    /** `x-CiscoIPPhoneModelName`, e.g. "CP-7960G". */
    readonly modelName: string;
    /** Firmware load name reported in the Alarm and (V20) RegisterReq. */
    readonly firmware: string;
    /** RegisterReq protocolVer for the static (CM 4.x) and the dynamic (V20) generations. */
    readonly protocolVer: number;
    /** Line buttons (the most lines a device of this model can have). */
    readonly maxLines: number;
    /** True when the model has softkeys (the others use feature buttons: Stimulus). */
    readonly softKeys: boolean;
    /** Generation a phone of this model speaks unless told otherwise. */
    readonly generation: SimGeneration;
}

function m(
    model: string,
    deviceType: number,
    modelName: string,
    firmware: string,
    protocolVer: number,
    maxLines: number,
    softKeys: boolean,
    generation: SimGeneration = "cm4",
): PhoneModelInfo {
    return { model, deviceType, modelName, firmware, protocolVer, maxLines, softKeys, generation };
}

/** Models by short name. The first four are the phones of the Call Back feature guide with the softkey. */
export const PHONE_MODELS: Readonly<Record<string, PhoneModelInfo>> = {
    "7960": m("7960", 7, "CP-7960G", "P00308000500", 6, 6, true),
    "7940": m("7940", 8, "CP-7940G", "P00308000500", 6, 2, true),
    "7912": m("7912", 30007, "CP-7912G", "CP7912060000SCCP050124A", 7, 1, true),
    "7905": m("7905", 20000, "CP-7905G", "CP7905060000SCCP050309A", 7, 1, true),
    "7902": m("7902", 30008, "CP-7902G", "CP7902040000SCCP040701A", 5, 1, false),
    "7910": m("7910", 6, "CP-7910G", "P00403020214", 5, 1, false),
    "7935": m("7935", 9, "CP-7935", "P00503010100", 5, 1, false),
    "7936": m("7936", 30019, "CP-7936", "cmterm_7936.3-3-21-0", 5, 1, false),
    "30VIP": m("30VIP", 5, "30 VIP", "D00303010033", 3, 30, false),
    "12SP+": m("12SP+", 2, "12 SP+", "D00303010033", 3, 2, false),
    ATA186: m("ATA186", 12, "ATA186", "ATA030203SCCP051201A", 5, 1, false),
    ATA188: m("ATA188", 13, "ATA188", "ATA030203SCCP051201A", 5, 1, false),
    "7970": m("7970", 30006, "CP-7970G", "SCCP70.8-5-2S", 20, 8, true, "v20"),
    "7961": m("7961", 30018, "CP-7961G", "SCCP41.8-5-2S", 20, 6, true, "v20"),
    "7941": m("7941", 115, "CP-7941G", "SCCP41.8-5-2S", 20, 2, true, "v20"),
    "7971": m("7971", 119, "CP-7971G-GE", "SCCP70.8-5-2S", 20, 8, true, "v20"),
    "7911": m("7911", 307, "CP-7911G", "SCCP11.8-5-2S", 20, 1, true, "v20"),
    "7942": m("7942", 434, "CP-7942G", "SCCP42.8-5-2S", 20, 2, true, "v20"),
    "7945": m("7945", 435, "CP-7945G", "SCCP45.8-5-2S", 20, 2, true, "v20"),
    "7962": m("7962", 404, "CP-7962G", "SCCP42.8-5-2S", 20, 6, true, "v20"),
    "7965": m("7965", 436, "CP-7965G", "SCCP45.8-5-2S", 20, 6, true, "v20"),
    "7975": m("7975", 437, "CP-7975G", "SCCP75.8-5-2S", 20, 8, true, "v20"),
    IPC: m("IPC", 30016, "IP Communicator", "CIPC-2-1-2-0", 20, 8, true, "v20"),
};

/** The model entry for a short name ("7960") or a device type code (7); undefined when unknown. */
export function phoneModel(modelOrType: string | number): PhoneModelInfo | undefined {
    if (typeof modelOrType === "string") return PHONE_MODELS[modelOrType];
    for (const info of Object.values(PHONE_MODELS)) if (info.deviceType === modelOrType) return info;
    return undefined;
}

/** Models a seeded traffic mix draws from (the feature guide's softkey phones, most of them). */
export const DEFAULT_MODEL_MIX: readonly string[] = ["7960", "7960", "7940", "7940", "7912", "7905"];
