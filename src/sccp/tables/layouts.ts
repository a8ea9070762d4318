/**
 * SCCP body layouts as data, one list of variants per message id (SCCP-REFERENCE sections 1.3 and 2).
 * The decoder picks a variant by (body length, header version); the encoder by (field names, header version).
 *
 * Field notation (names are Wireshark's `skinny.*` field names without the prefix):
 *   "u8 n" "u16 n" "u32 n"   little-endian integers
 *   "ipv4 n"                 4 bytes network order, dotted text
 *   "ip46 base"              16-byte address after an `ipv4or6` word: emits `base.ipv4` or `base.ipv6`
 *   "ip16 n"                 16-byte IPv6 address as text
 *   "strN n" / "labelN n"    char[N] cut at the first NUL; label fields may embed 0x80 n / 0x1E n labels
 *   "cstr n" / "lcstr n"     NUL-terminated string of a dynamic (V2) message
 *   "data n lenField"        `lenField` bytes of Latin-1 text (XML data)
 *   "hexN n"                 N opaque bytes as hex
 *   "u8xN n" / "u16xN n"     fixed numeric arrays
 *   "padN"                   N bytes that must be zero
 * Arrays: { array, count, max, of }: `max` fixed slots, the first `count` decoded, the rest must be zero.
 * Variant flags: `hv` = [min, max] header versions the variant is the canonical encoding for; `dyn` = dynamic
 * message padded to a multiple of 4; `open` = known prefix, the remainder is kept as raw bytes.
 */

/** One array of fixed-size slots. */
export interface ArrayDef {
    readonly array: string;
    readonly count: string;
    readonly max: number;
    readonly of: readonly string[];
}

/** A field in the notation above, or an array. */
export type FieldDef = string | ArrayDef;

/** One body layout of a message. */
export interface LayoutVariantSpec {
    readonly fields: readonly FieldDef[];
    readonly hv?: readonly [number, number];
    readonly dyn?: boolean;
    readonly open?: boolean;
}

const ANY_V17: readonly [number, number] = [0x11, 0xffffffff];
const UP_TO_V16: readonly [number, number] = [0, 0x10];
const UP_TO_V10: readonly [number, number] = [0, 0x0a];
const V11_TO_V16: readonly [number, number] = [0x0b, 0x10];
const V18_UP: readonly [number, number] = [0x12, 0xffffffff];
const UP_TO_V17: readonly [number, number] = [0, 0x11];

const EMPTY: LayoutVariantSpec = { fields: [] };
const LINE_CALL = ["u32 lineInstance", "u32 callReference"] as const;

const REGISTER_BASE = [
    "str16 deviceName",
    "u32 reserved.for.future.use",
    "u32 instance",
    "ipv4 stationIpAddr",
    "u32 deviceType",
    "u32 maxStreams",
];
const REGISTER_52 = [
    ...REGISTER_BASE,
    "u32 activeStreams",
    "u8 protocolVer",
    "u8 unknown",
    "u16 phoneFeatures",
    "u32 maxConferences",
];
const REGISTER_124 = [
    ...REGISTER_52,
    "u32 activeConferences",
    "hex12 macAddress",
    "u32 ipV4AddressScope",
    "u32 maxNumberOfLines",
    "ip16 stationIpV6Addr",
    "u32 ipV6AddressScope",
    "str32 firmwareLoadName",
];
const REGISTER_ACK_12 = ["u32 keepAliveInterval", "str6 dateTemplate", "u16 alignmentPadding"];

const FORWARD_24 = [
    "u32 activeForward",
    "u32 lineNumber",
    "u32 forwardAllActive",
    "str24 forwardAllNumber",
    "u32 forwardBusyActive",
    "str24 forwardBusyNumber",
    "u32 forwardNoAnswerActive",
    "str24 forwardNoAnswerNumber",
];
const FORWARD_25 = FORWARD_24.map((f) => f.replace("str24", "str25"));

const CALLINFO_128 = ["str40 callingPartyName", "str24 callingParty", "str40 calledPartyName", "str24 calledParty"];
const CALLINFO_384 = [
    ...CALLINFO_128,
    ...LINE_CALL,
    "u32 callType",
    "str40 originalCalledPartyName",
    "str24 originalCalledParty",
    "str40 lastRedirectingPartyName",
    "str24 lastRedirectingParty",
    "u32 originalCdpnRedirectReason",
    "u32 lastRedirectingReason",
    "str24 cgpnVoiceMailbox",
    "str24 cdpnVoiceMailbox",
    "str24 originalCdpnVoiceMailbox",
    "str24 lastRedirectingVoiceMailbox",
    "u32 callInstance",
    "u32 callSecurityStatus",
    "u32 partyPIRestrictionBits",
];
const CALLINFO_V2_FIXED = [
    ...LINE_CALL,
    "u32 callType",
    "u32 originalCdpnRedirectReason",
    "u32 lastRedirectingReason",
    "u32 callInstance",
    "u32 callSecurityStatus",
    "u32 partyPIRestrictionBits",
];
const CALLINFO_V2_STRINGS_12 = [
    "cstr callingParty",
    "cstr calledParty",
    "cstr originalCalledParty",
    "cstr lastRedirectingParty",
    "cstr cgpnVoiceMailbox",
    "cstr cdpnVoiceMailbox",
    "cstr originalCdpnVoiceMailbox",
    "cstr lastRedirectingVoiceMailbox",
    "cstr callingPartyName",
    "cstr calledPartyName",
    "cstr originalCalledPartyName",
    "cstr lastRedirectingPartyName",
];
const CALLINFO_V2_STRINGS_13 = ["cstr callingParty", "cstr AlternateCallingParty", ...CALLINFO_V2_STRINGS_12.slice(1)];

const USER_DATA = [
    "u32 applicationId",
    "u32 lineInstance",
    "u32 callReference",
    "u32 transactionId",
    "u32 dataLength",
    "data xmlData dataLength",
];
const USER_DATA_V1 = [
    ...USER_DATA.slice(0, 5),
    "u32 sequenceFlag",
    "u32 displayPriority",
    "u32 conferenceId",
    "u32 appInstanceID",
    "u32 routingID",
    "data xmlData dataLength",
];

const MEDIA_STOP: readonly LayoutVariantSpec[] = [
    { fields: ["u32 conferenceId"] },
    { fields: ["u32 conferenceId", "u32 passThroughPartyId"] },
    { fields: ["u32 conferenceId", "u32 passThroughPartyId", "u32 callReference"] },
    { fields: ["u32 conferenceId", "u32 passThroughPartyId", "u32 callReference", "u32 portHandlingFlag"] },
];
const ENCRYPTION = ["u32 algorithmID", "u16 keylen", "u16 saltlen", "hex16 key", "hex16 salt"];
// From V11 the 4 bytes Wireshark calls g723BitRate are read as codec parameters.
const CODEC_PARAMS = ["u8 codecMode", "u8 dynamicPayload", "u8 codecParam1", "u8 codecParam2"];
const ORC_HEAD = [
    "u32 conferenceId",
    "u32 passThroughPartyId",
    "u32 milliSecondPacketSize",
    "u32 compressionType",
    "u32 ecValue",
];
const SMT_HEAD = [
    "u32 conferenceId",
    "u32 passThroughPartyId",
    "ipv4 remoteIpAddr.ipv4",
    "u32 remotePortNumber",
    "u32 milliSecondPacketSize",
    "u32 compressionType",
    "u32 precedenceValue",
    "u32 ssValue",
    "u16 maxFramesPerPacket",
    "u16 padding",
];

/** Layout variants by message id. Ids not listed decode to their name with the raw body as hex. */
export const SCCP_LAYOUTS: Readonly<Record<number, readonly LayoutVariantSpec[]>> = {
    // --- registration and keepalive ---
    0: [EMPTY], // KeepAliveReq
    256: [EMPTY], // KeepAliveAck
    1: [
        { fields: REGISTER_BASE },
        { fields: REGISTER_52 },
        { fields: REGISTER_124 },
        { fields: [...REGISTER_124, "str48 configVersionStamp"] },
    ],
    129: [
        { fields: REGISTER_ACK_12 },
        {
            fields: [
                ...REGISTER_ACK_12,
                "u32 secondaryKeepAliveInterval",
                "u8 maxProtocolVer",
                "u8 unknown",
                "u16 phoneFeatures",
            ],
        },
    ],
    157: [{ fields: ["str32 text"] }, { fields: ["str33 text"] }, { fields: ["str36 text"] }], // RegisterReject
    39: [EMPTY, { fields: ["u32 unRegReasonCode"] }], // UnregisterReq
    280: [{ fields: ["u32 status"] }], // UnregisterAck
    159: [{ fields: ["u32 resetType"] }], // Reset
    2: [{ fields: ["u32 rtpMediaPort"] }], // IpPort
    32: [{ fields: ["u32 alarmSeverity", "str80 text", "u32 parm1", "u32 parm2"] }], // Alarm
    12: [EMPTY], // ConfigStatReq
    147: [
        {
            fields: [
                "str16 deviceName",
                "u32 reserved.for.future.use",
                "u32 instance",
                "str40 userName",
                "str40 serverName",
                "u32 numberOfLines",
                "u32 numberOfSpeedDials",
            ],
        },
    ],
    322: [
        {
            dyn: true,
            fields: [
                "cstr deviceName",
                "u32 reserved.for.future.use",
                "u32 instance",
                "u32 numberOfLines",
                "u32 numberOfSpeedDials",
                "cstr userName",
                "cstr serverName",
            ],
        },
    ], // ConfigStatV2Res
    13: [EMPTY], // TimeDateReq
    148: [
        {
            fields: [
                "u32 wYear",
                "u32 wMonth",
                "u32 wDayOfWeek",
                "u32 wDay",
                "u32 wHour",
                "u32 wMinute",
                "u32 wSecond",
                "u32 wMilliseconds",
                "u32 systemTime",
            ],
        },
    ], // TimeDateRes (DefineTimeDate)
    14: [EMPTY], // ButtonTemplateReq
    151: [
        {
            fields: [
                "u32 buttonOffset",
                "u32 buttonCount",
                "u32 totalButtonCount",
                {
                    array: "definition",
                    count: "buttonCount",
                    max: 42,
                    of: ["u8 instanceNumber", "u8 buttonDefinition"],
                },
            ],
        },
        {
            fields: [
                "u32 buttonOffset",
                "u32 buttonCount",
                "u32 totalButtonCount",
                {
                    array: "definition",
                    count: "buttonCount",
                    max: 56,
                    of: ["u8 instanceNumber", "u8 buttonDefinition"],
                },
            ],
        },
    ],
    40: [EMPTY], // SoftKeyTemplateReq
    264: [
        {
            fields: [
                "u32 softKeyOffset",
                "u32 softKeyCount",
                "u32 totalSoftKeyCount",
                {
                    array: "definition",
                    count: "softKeyCount",
                    max: 32,
                    of: ["label16 softKeyLabel", "u32 softKeyEvent"],
                },
            ],
        },
    ],
    37: [EMPTY], // SoftKeySetReq
    265: [
        {
            fields: [
                "u32 softKeySetOffset",
                "u32 softKeySetCount",
                "u32 totalSoftKeySetCount",
                {
                    array: "definition",
                    count: "softKeySetCount",
                    max: 16,
                    of: ["u8x16 softKeyTemplateIndex", "u16x16 softKeyInfoIndex"],
                },
            ],
        },
        {
            // Asterisk appends 4 bytes.
            fields: [
                "u32 softKeySetOffset",
                "u32 softKeySetCount",
                "u32 totalSoftKeySetCount",
                {
                    array: "definition",
                    count: "softKeySetCount",
                    max: 16,
                    of: ["u8x16 softKeyTemplateIndex", "u16x16 softKeyInfoIndex"],
                },
                "pad4",
            ],
        },
    ],
    15: [EMPTY], // VersionReq
    152: [{ fields: ["str16 versionStr"] }], // VersionRes
    155: [EMPTY], // CapabilitiesReq
    16: [
        {
            fields: [
                "u32 capCount",
                {
                    array: "caps",
                    count: "capCount",
                    max: 18,
                    of: [
                        "u32 payloadCapability",
                        "u32 maxFramesPerPacket",
                        "u8 codecMode",
                        "u8 dynamicPayload",
                        "u8 codecParam1",
                        "u8 codecParam2",
                        "hex4 codecExtra",
                    ],
                },
            ],
        },
    ], // CapabilitiesRes (G.723 entries carry g723BitRate where the codec bytes are)
    18: [EMPTY], // ServerReq
    45: [{ fields: ["u32 maxNumOfAvailLines"] }], // RegisterAvailableLines

    // --- lines, forwarding, speed dials, features ---
    11: [{ fields: ["u32 lineNumber"] }], // LineStatReq
    146: [
        { fields: ["u32 lineNumber", "str24 lineDirNumber"] },
        {
            fields: [
                "u32 lineNumber",
                "str24 lineDirNumber",
                "str40 lineFullyQualifiedDisplayName",
                "str40 lineTextLabel",
                "u32 lineDisplayOptions",
            ],
        },
    ],
    327: [
        {
            dyn: true,
            fields: [
                "u32 lineNumber",
                "u32 lineType",
                "cstr lineDirNumber",
                "cstr lineFullyQualifiedDisplayName",
                "cstr lineTextLabel",
            ],
        },
    ], // LineStatV2Res
    9: [{ fields: ["u32 lineNumber"] }], // ForwardStatReq
    144: [
        { fields: FORWARD_24, hv: UP_TO_V17 },
        { fields: [...FORWARD_25, "pad1"], hv: V18_UP },
        { fields: FORWARD_25, hv: V18_UP },
    ],
    10: [{ fields: ["u32 speedDialNumber"] }], // SpeedDialStatReq
    145: [{ fields: ["u32 speedDialNumber", "str24 speedDialDirNumber", "str40 speedDialDisplayName"] }],
    52: [{ fields: ["u32 featureIndex"] }], // FeatureStatReq
    287: [{ fields: ["u32 featureIndex", "u32 featureID", "label40 featureTextLabel", "u32 featureStatus"] }],

    // --- call control, phone to CM ---
    3: [{ fields: ["u32 kpButton"] }, { fields: ["u32 kpButton", ...LINE_CALL] }], // KeypadButton
    4: [
        { fields: ["str24 calledParty"] },
        { fields: ["str24 calledParty", "u32 lineInstance"], hv: UP_TO_V17 },
        { fields: ["str25 calledParty", "u32 lineInstance", "pad3"], hv: V18_UP }, // 7970: packed
        { fields: ["str25 calledParty", "pad3", "u32 lineInstance"], hv: V18_UP }, // 8945: unpacked
    ], // EnblocCall
    5: [
        { fields: ["u32 stimulus", "u32 lineInstance"] },
        { fields: ["u32 stimulus", ...LINE_CALL] },
        { fields: ["u32 stimulus", ...LINE_CALL, "u32 stimulusStatus"] },
    ], // Stimulus
    6: [EMPTY, { fields: LINE_CALL }], // OffHook
    7: [EMPTY, { fields: LINE_CALL }], // OnHook
    8: [EMPTY, { fields: LINE_CALL }], // HookFlash
    38: [{ fields: ["u32 softKeyEvent", ...LINE_CALL] }], // SoftKeyEvent
    43: [{ fields: ["u32 headsetStatus"] }], // HeadsetStatus

    // --- call control, CM to phone ---
    130: [{ fields: ["u32 tone"] }, { fields: ["u32 tone", "u32 tone.output.direction", ...LINE_CALL] }], // StartTone
    131: [EMPTY, { fields: LINE_CALL }, { fields: [...LINE_CALL, "u32 tone"] }], // StopTone
    133: [{ fields: ["u32 ringMode"] }, { fields: ["u32 ringMode", "u32 ringDuration", ...LINE_CALL] }], // SetRinger
    134: [{ fields: ["u32 stimulus", "u32 stimulusInstance", "u32 lampMode"] }], // SetLamp
    136: [{ fields: ["u32 speakerMode"] }], // SetSpeakerMode
    137: [{ fields: ["u32 micMode"] }], // SetMicroMode
    272: [{ fields: [...LINE_CALL, "u32 softKeySetIndex", "u32 validKeyMask"] }], // SelectSoftKeys
    273: [
        { fields: ["u32 callState", ...LINE_CALL] },
        { fields: ["u32 callState", ...LINE_CALL, "u32 privacy"] },
        { fields: ["u32 callState", ...LINE_CALL, "u32 privacy", "u32 precedenceLevel", "u32 precedenceDomain"] },
    ], // CallState
    143: [{ fields: CALLINFO_128 }, { fields: CALLINFO_384 }], // CallInfo
    330: [
        {
            dyn: true,
            hv: ANY_V17,
            fields: [...CALLINFO_V2_FIXED, ...CALLINFO_V2_STRINGS_13, "cstr HuntPilotNumber", "cstr HuntPilotName"],
        },
        { dyn: true, hv: UP_TO_V16, fields: [...CALLINFO_V2_FIXED, ...CALLINFO_V2_STRINGS_13] },
        { dyn: true, fields: [...CALLINFO_V2_FIXED, ...CALLINFO_V2_STRINGS_12] }, // chan-sccp-b, protocol 8-15
    ], // CallInfoV2
    285: [
        { fields: ["str24 dialedNumber", ...LINE_CALL], hv: UP_TO_V17 },
        { fields: ["str25 dialedNumber", ...LINE_CALL, "pad3"], hv: V18_UP },
        { fields: ["str25 dialedNumber", ...LINE_CALL], hv: V18_UP },
    ], // DialedNumber
    274: [
        { fields: ["u32 timeOutValue", "label32 promptStatus", ...LINE_CALL] },
        { fields: ["u32 timeOutValue", "label32 promptStatus", ...LINE_CALL, "pad12"] }, // Asterisk
    ], // DisplayPromptStatus
    325: [{ dyn: true, fields: ["u32 timeOutValue", ...LINE_CALL, "lcstr promptStatus"] }], // DisplayPromptStatusV2
    275: [{ fields: LINE_CALL }], // ClearPromptStatus
    276: [
        { fields: ["u32 timeOutValue", "label32 notify"] },
        { fields: ["u32 timeOutValue", "label100 notify"] }, // Asterisk
    ], // DisplayNotify
    323: [{ dyn: true, fields: ["u32 timeOutValue", "lcstr notify"] }], // DisplayNotifyV2
    277: [EMPTY], // ClearNotify
    288: [{ fields: ["u32 timeOutValue", "u32 priority", "label32 notify"] }], // DisplayPriNotify
    324: [{ dyn: true, fields: ["u32 timeOutValue", "u32 priority", "lcstr notify"] }], // DisplayPriNotifyV2
    289: [{ fields: ["u32 priority"] }], // ClearPriNotify
    153: [{ fields: ["label32 text"] }, { fields: ["label36 text"] }, { fields: ["label40 text"] }], // DisplayText
    154: [EMPTY], // ClearDisplay
    278: [{ fields: ["u32 lineInstance"] }, EMPTY], // ActivateCallPlane
    279: [EMPTY], // DeactivateCallPlane
    281: [{ fields: LINE_CALL }], // BackSpaceRes
    304: [{ fields: ["u32 callSelectStat", "u32 callReference", "u32 lineInstance"] }], // CallSelectStatRes
    342: [{ fields: ["u32 callHistoryDisposition", ...LINE_CALL] }], // CallHistoryInfo

    // --- media: ids and connection addresses ---
    261: [
        { hv: UP_TO_V10, fields: [...ORC_HEAD, "u32 g723BitRate"] },
        { hv: UP_TO_V10, fields: [...ORC_HEAD, "u32 g723BitRate", "u32 callReference", ...ENCRYPTION] },
        { hv: V11_TO_V16, fields: [...ORC_HEAD, ...CODEC_PARAMS, "u32 callReference", ...ENCRYPTION] },
        { hv: ANY_V17, open: true, fields: [...ORC_HEAD, ...CODEC_PARAMS, "u32 callReference"] },
    ], // OpenReceiveChannel
    34: [
        {
            hv: UP_TO_V16,
            fields: ["u32 mediaReceptionStatus", "ipv4 ipAddr.ipv4", "u32 portNumber", "u32 passThroughPartyId"],
        },
        {
            hv: UP_TO_V16,
            fields: [
                "u32 mediaReceptionStatus",
                "ipv4 ipAddr.ipv4",
                "u32 portNumber",
                "u32 passThroughPartyId",
                "u32 callReference",
            ],
        },
        {
            hv: ANY_V17,
            fields: [
                "u32 mediaReceptionStatus",
                "u32 ipv4or6",
                "ip46 ipAddr",
                "u32 portNumber",
                "u32 passThroughPartyId",
            ],
        },
        {
            hv: ANY_V17,
            fields: [
                "u32 mediaReceptionStatus",
                "u32 ipv4or6",
                "ip46 ipAddr",
                "u32 portNumber",
                "u32 passThroughPartyId",
                "u32 callReference",
            ],
        },
    ], // OpenReceiveChannelAck
    138: [
        {
            // CallManager 2.x: address first, then packet size and codec; the rest is kept raw.
            open: true,
            hv: [0, 0],
            fields: [
                "ipv4 remoteIpAddr.ipv4",
                "u32 remotePortNumber",
                "u32 milliSecondPacketSize",
                "u32 compressionType",
            ],
        },
        { hv: UP_TO_V10, fields: [...SMT_HEAD, "u32 g723BitRate", "u32 callReference", ...ENCRYPTION] },
        { hv: V11_TO_V16, fields: [...SMT_HEAD, ...CODEC_PARAMS, "u32 callReference", ...ENCRYPTION] },
        {
            hv: ANY_V17,
            open: true,
            fields: [
                "u32 conferenceId",
                "u32 passThroughPartyId",
                "u32 ipv4or6",
                "ip46 remoteIpAddr",
                "u32 remotePortNumber",
                "u32 milliSecondPacketSize",
                "u32 compressionType",
                "u32 precedenceValue",
                "u32 ssValue",
                "u16 maxFramesPerPacket",
                "u16 padding",
            ],
        },
    ], // StartMediaTransmission
    139: MEDIA_STOP, // StopMediaTransmission
    262: MEDIA_STOP, // CloseReceiveChannel
    340: [
        {
            hv: UP_TO_V16,
            fields: [
                "u32 conferenceId",
                "u32 passThroughPartyId",
                "u32 callReference",
                "ipv4 transmitIpAddr.ipv4",
                "u32 portNumber",
                "u32 mediaTransmissionStatus",
            ],
        },
        {
            hv: ANY_V17,
            fields: [
                "u32 conferenceId",
                "u32 passThroughPartyId",
                "u32 callReference",
                "u32 ipv4or6",
                "ip46 transmitIpAddr",
                "u32 portNumber",
                "u32 mediaTransmissionStatus",
            ],
        },
    ], // StartMediaTransmissionAck

    // --- XML / data messages ---
    286: [{ dyn: true, fields: USER_DATA }], // UserToDeviceData
    46: [{ dyn: true, fields: USER_DATA }], // DeviceToUserData
    47: [{ dyn: true, fields: USER_DATA }], // DeviceToUserDataResponse
    319: [{ dyn: true, fields: USER_DATA_V1 }], // UserToDeviceDataVersion1
    65: [{ dyn: true, fields: USER_DATA_V1 }], // DeviceToUserDataVersion1
    66: [{ dyn: true, fields: USER_DATA_V1 }], // DeviceToUserDataResponseVersion1
};
