/**
 * SCCP enumerations as plain data. Names are Wireshark 4.0's value strings (`tshark -G values`) so that
 * decoded output reads like tshark; see SCCP-REFERENCE.md section 3 for meanings and disagreements.
 */

/** Header version word (byte 4 of every message). */
export const HEADER_VERSIONS: Readonly<Record<number, string>> = {
    0: "Basic",
    10: "V10",
    11: "V11",
    15: "V15",
    16: "V16",
    17: "V17",
    18: "V18",
    19: "V19",
    20: "V20",
    21: "V21",
    22: "V22",
};

/** CallState.callState (section 3.1). 7 is LINE_IN_USE in FreeSWITCH. */
export const CALL_STATES: Readonly<Record<number, string>> = {
    0: "Idle",
    1: "OffHook",
    2: "OnHook",
    3: "RingOut",
    4: "RingIn",
    5: "Connected",
    6: "Busy",
    7: "Congestion",
    8: "Hold",
    9: "CallWaiting",
    10: "CallTransfer",
    11: "CallPark",
    12: "Proceed",
    13: "CallRemoteMultiline",
    14: "InvalidNumber",
    15: "HoldRevert",
    16: "Whisper",
    17: "RemoteHold",
    18: "MaxState",
};

/** StartTone/StopTone tone (Appendix C). 0x23 busy, 0x24 ringback, 0x25 reorder. */
export const TONES: Readonly<Record<number, string>> = {
    0: "Silence",
    1: "Dtmf1",
    2: "Dtmf2",
    3: "Dtmf3",
    4: "Dtmf4",
    5: "Dtmf5",
    6: "Dtmf6",
    7: "Dtmf7",
    8: "Dtmf8",
    9: "Dtmf9",
    10: "Dtmf0",
    14: "DtmfStar",
    15: "DtmfPound",
    16: "DtmfA",
    17: "DtmfB",
    18: "DtmfC",
    19: "DtmfD",
    33: "InsideDialTone",
    34: "OutsideDialTone",
    35: "LineBusyTone",
    36: "AlertingTone",
    37: "ReorderTone",
    38: "RecorderWarningTone",
    39: "RecorderDetectedTone",
    40: "RevertingTone",
    41: "ReceiverOffHookTone",
    42: "MessageWaitingIndicatorTone",
    43: "NoSuchNumberTone",
    44: "BusyVerificationTone",
    45: "CallWaitingTone",
    46: "ConfirmationTone",
    47: "CampOnIndicationTone",
    48: "RecallDialTone",
    49: "ZipZip",
    50: "Zip",
    51: "BeepBonk",
    52: "MusicTone",
    53: "HoldTone",
    54: "TestTone",
    56: "MonitorWarningTone",
    57: "SecureWarningTone",
    64: "AddCallWaiting",
    65: "PriorityCallWait",
    66: "RecallDial",
    67: "BargIn",
    68: "DistinctAlert",
    69: "PriorityAlert",
    70: "ReminderRing",
    71: "PrecedenceRingBack",
    72: "PreemptionTone",
    73: "NonSecureWarningTone",
    80: "MF1",
    81: "MF2",
    82: "MF3",
    83: "MF4",
    84: "MF5",
    85: "MF6",
    86: "MF7",
    87: "MF8",
    88: "MF9",
    89: "MF0",
    90: "MFKP1",
    91: "MFST",
    92: "MFKP2",
    93: "MFSTP",
    94: "MFST3P",
    95: "MILLIWATT",
    96: "MILLIWATTTEST",
    97: "HIGHTONE",
    98: "FLASHOVERRIDE",
    99: "FLASH",
    100: "PRIORITY",
    101: "IMMEDIATE",
    102: "PREAMPWARN",
    103: "2105HZ",
    104: "2600HZ",
    105: "440HZ",
    106: "300HZ",
    107: "Mobility_WP",
    108: "Mobility_UAC",
    109: "Mobility_WTDN",
    110: "Mobility_MON",
    111: "Mobility_MOFF",
    112: "Mobility_UKC",
    113: "Mobility_VMA",
    114: "Mobility_FAC",
    115: "Mobility_CMC",
    119: "MLPP_PALA",
    120: "MLPP_ICA",
    121: "MLPP_VCA",
    122: "MLPP_BPA",
    123: "MLPP_BNEA",
    124: "MLPP_UPA",
    125: "TUA",
    126: "GONE",
    127: "NoTone",
    128: "MeetMe_Greeting",
    129: "MeetMe_NumberInvalid",
    130: "MeetMe_NumberFailed",
    131: "MeetMe_EnterPIN",
    132: "MeetMe_InvalidPIN",
    133: "MeetMe_FailedPIN",
    134: "MeetMe_CFB_Failed",
    135: "MeetMe_EnterAccessCode",
    136: "MeetMe_AccessCodeInvalid",
    137: "MeetMe_AccessCodeFailed",
    138: "MAX",
};

/** Wireshark's names for SoftKeyEvent values: the label table (65 = CallBack). CUCM numbers its own events; learn them from SoftKeyTemplateRes (section 3.3). */
export const SOFTKEY_EVENTS: Readonly<Record<number, string>> = {
    1: "Redial",
    2: "NewCall",
    3: "Hold",
    4: "Transfer",
    5: "CfwdAll",
    6: "CfwdBusy",
    7: "CfwdNoAnswer",
    8: "BackSpace",
    9: "EndCall",
    10: "Resume",
    11: "Answer",
    12: "Info",
    13: "Confrn",
    14: "Park",
    15: "Join",
    16: "MeetMe",
    17: "PickUp",
    18: "GrpPickup",
    19: "Your current options",
    20: "Off Hook",
    21: "On Hook",
    22: "Ring out",
    23: "From ",
    24: "Connected",
    25: "Busy",
    26: "Line In Use",
    27: "Call Waiting",
    28: "Call Transfer",
    29: "Call Park",
    30: "Call Proceed",
    31: "In Use Remote",
    32: "Enter number",
    33: "Call park At",
    34: "Primary Only",
    35: "Temp Fail",
    36: "You Have a VoiceMail",
    37: "Forwarded to",
    38: "Can Not Complete Conference",
    39: "No Conference Bridge",
    40: "Can Not Hold Primary Control",
    41: "Invalid Conference Participant",
    42: "In Conference Already",
    43: "No Participant Info",
    44: "Exceed Maximum Parties",
    45: "Key Is Not Active",
    46: "Error No License",
    47: "Error DBConfig",
    48: "Error Database",
    49: "Error Pass Limit",
    50: "Error Unknown",
    51: "Error Mismatch",
    52: "Conference",
    53: "Park Number",
    54: "Private",
    55: "Not Enough Bandwidth",
    56: "Unknown Number",
    57: "RmLstC",
    58: "Voicemail",
    59: "ImmDiv",
    60: "Intrcpt",
    61: "SetWtch",
    62: "TrnsfVM",
    63: "DND",
    64: "DivAll",
    65: "CallBack",
    66: "Network congestion,rerouting",
    67: "Barge",
    68: "Failed to setup Barge",
    69: "Another Barge exists",
    70: "Incompatible device type",
    71: "No Park Number Available",
    72: "CallPark Reversion",
    73: "Service is not Active",
    74: "High Traffic Try Again Later",
    75: "QRT",
    76: "MCID",
    77: "DirTrfr",
    78: "Select",
    79: "ConfList",
    80: "iDivert",
    81: "cBarge",
    82: "Can Not Complete Transfer",
    83: "Can Not Join Calls",
    84: "Mcid Successful",
    85: "Number Not Configured",
    86: "Security Error",
    87: "Video Bandwidth Unavailable",
    88: "Video Mode",
    201: "Dial",
    202: "Record",
};

/** SelectSoftKeys.softKeySetIndex / SoftKeySetRes position (section 3.4). */
export const SOFTKEY_SET_INDEXES: Readonly<Record<number, string>> = {
    0: "On Hook",
    1: "Connected",
    2: "On Hold",
    3: "Ring In",
    4: "Off Hook",
    5: "Connected Transferable",
    6: "Digits Following",
    7: "Connected Conference",
    8: "Ring Out",
    9: "OffHook with Features",
    10: "In Use Hint",
    11: "On Hook with Stealable Call",
};

/** SoftKeySetRes softKeyInfoIndex values. */
export const SOFTKEY_INFO_INDEXES: Readonly<Record<number, string>> = {
    301: "Redial",
    302: "NewCall",
    303: "Hold",
    304: "Transfer",
    305: "CfwdAll",
    306: "CfwdBusy",
    307: "CfwdNoAnswer",
    308: "BackSpace",
    309: "EndCall",
    310: "Resume",
    311: "Answer",
    312: "Info",
    313: "Confrn",
    314: "Park",
    315: "Join",
    316: "MeetMe",
    317: "PickUp",
    318: "GrpPickup",
    319: "Monitor",
    320: "CallBack",
    321: "Barge",
    322: "DND",
    323: "ConfList",
    324: "Select",
    325: "Private",
    326: "Transfer Voicemail",
    327: "Direct Transfer",
    328: "Immediate Divert",
    329: "Video Mode",
    330: "Intercept",
    331: "Empty",
    332: "Dial",
    333: "Conference Barge",
};

/** CallInfo.callType (section 3.5). */
export const CALL_TYPES: Readonly<Record<number, string>> = {
    1: "InBoundCall",
    2: "OutBoundCall",
    3: "ForwardCall",
};

/** Stimulus.stimulus and SetLamp.stimulus (section 3.8); 0x86 = CallBack button. */
export const STIMULI: Readonly<Record<number, string>> = {
    1: "LastNumberRedial",
    2: "SpeedDial",
    3: "Hold",
    4: "Transfer",
    5: "ForwardAll",
    6: "ForwardBusy",
    7: "ForwardNoAnswer",
    8: "Display",
    9: "Line",
    10: "T120Chat",
    11: "T120Whiteboard",
    12: "T120ApplicationSharing",
    13: "T120FileTransfer",
    14: "Video",
    15: "VoiceMail",
    16: "AnswerRelease",
    17: "AutoAnswer",
    18: "Select",
    19: "Privacy",
    20: "ServiceURL",
    21: "BLFSpeedDial",
    22: "DPark",
    23: "Intercom",
    27: "MaliciousCall",
    33: "GenericAppB1",
    34: "GenericAppB2",
    35: "GenericAppB3",
    36: "GenericAppB4",
    37: "GenericAppB5",
    123: "MeetMeConference",
    125: "Conference",
    126: "CallPark",
    127: "CallPickUp",
    128: "GroupCallPickUp",
    129: "Mobility",
    130: "DoNotDisturb",
    131: "ConfList",
    132: "RemoveLastParticipant",
    133: "QRT",
    134: "CallBack",
    135: "OtherPickup",
    136: "VideoMode",
    137: "NewCall",
    138: "EndCall",
    139: "HLog",
    143: "Queuing",
    255: "MaxStimulusValue",
};

/** ButtonTemplateRes buttonDefinition; 9 = Line (instanceNumber is then the line instance). */
export const BUTTON_DEFINITIONS: Readonly<Record<number, string>> = {
    0: "Unused",
    1: "Last Number Redial",
    2: "SpeedDial",
    3: "Hold",
    4: "Transfer",
    5: "Forward All",
    6: "Forward Busy",
    7: "Forward No Answer",
    8: "Display",
    9: "Line",
    10: "T120 Chat",
    11: "T120 Whiteboard",
    12: "T120 Application Sharing",
    13: "T120 File Transfer",
    14: "Video",
    15: "Voicemail",
    16: "Answer Release",
    17: "Auto Answer",
    18: "Select",
    19: "Feature",
    20: "ServiceURL",
    21: "BusyLampField Speeddial",
    27: "Malicious Call",
    33: "Generic App B1",
    34: "Generic App B2",
    35: "Generic App B3",
    36: "Generic App B4",
    37: "Generic App B5",
    38: "Monitor/Multiblink",
    123: "Meet Me Conference",
    125: "Conference",
    126: "Call Park",
    127: "Call Pickup",
    128: "Group Call Pickup",
    129: "Mobility",
    130: "DoNotDisturb",
    131: "ConfList",
    132: "RemoveLastParticipant",
    133: "QRT",
    134: "CallBack",
    135: "OtherPickup",
    136: "VideoMode",
    137: "NewCall",
    138: "EndCall",
    139: "HLog",
    143: "Queuing",
    192: "Test E",
    193: "Test F",
    194: "Messages",
    195: "Directory",
    196: "Test I",
    197: "Application",
    198: "Headset",
    240: "Keypad",
    253: "Aec",
    255: "Undefined",
};

/** SetRinger.ringMode. */
export const RING_MODES: Readonly<Record<number, string>> = {
    1: "RingOff",
    2: "InsideRing",
    3: "OutsideRing",
    4: "FeatureRing",
    5: "FlashOnly",
    6: "PrecedenceRing",
};

/** SetRinger.ringDuration. */
export const RING_DURATIONS: Readonly<Record<number, string>> = {
    1: "NormalRing",
    2: "SingleRing",
};

/** SetLamp.lampMode. */
export const LAMP_MODES: Readonly<Record<number, string>> = {
    1: "Off",
    2: "On",
    3: "Wink",
    4: "Flash",
    5: "Blink",
};

/** StartTone tone.output.direction. */
export const TONE_OUTPUT_DIRECTIONS: Readonly<Record<number, string>> = {
    0: "User",
    1: "Network",
    2: "All",
};

/** CallState.privacy. */
export const PRIVACY: Readonly<Record<number, string>> = {
    0: "None",
    1: "Limited",
    2: "Full",
};

/** CallInfo.callSecurityStatus. */
export const CALL_SECURITY_STATUS: Readonly<Record<number, string>> = {
    0: "Unknown",
    1: "NotAuthenticated",
    2: "Authenticated",
    3: "Encrypted",
    4: "Max",
};

/** Reset.resetType. */
export const RESET_TYPES: Readonly<Record<number, string>> = {
    1: "RESET",
    2: "RESTART",
    3: "APPLY_CONFIG",
};

/** UnregisterReq.unRegReasonCode. */
export const UNREGISTER_REASONS: Readonly<Record<number, string>> = {
    0: "Unknown",
    1: "PowerSaveMode",
};

/** Alarm.alarmSeverity. */
export const ALARM_SEVERITIES: Readonly<Record<number, string>> = {
    0: "Critical",
    1: "Warning",
    2: "Informational",
    4: "Unknown",
    7: "Major",
    8: "Minor",
    10: "Marginal",
    20: "TraceInfo",
};

/** KeypadButton.kpButton. */
export const KEYPAD_BUTTONS: Readonly<Record<number, string>> = {
    0: "Zero",
    1: "One",
    2: "Two",
    3: "Three",
    4: "Four",
    5: "Five",
    6: "Six",
    7: "Seven",
    8: "Eight",
    9: "Nine",
    10: "A",
    11: "B",
    12: "C",
    13: "D",
    14: "Star",
    15: "Pound",
    16: "Plus",
};

/** UserToDeviceDataVersion1.sequenceFlag. */
export const SEQUENCE_FLAGS: Readonly<Record<number, string>> = {
    0: "First",
    1: "More",
    2: "Last",
};

/** SetSpeakerMode / SetMicroMode / HeadsetStatus modes. */
export const ON_OFF: Readonly<Record<number, string>> = {
    1: "On",
    2: "Off",
};

/** ipv4or6 word in media messages from V17. */
export const IP_ADDRESS_TYPES: Readonly<Record<number, string>> = {
    0: "v4",
    1: "v6",
    2: "v4_v6",
    3: "_Invalid",
};

/** OpenReceiveChannelAck / StartMediaTransmissionAck status. */
export const MEDIA_STATUS: Readonly<Record<number, string>> = {
    0: "Ok",
    1: "Unknown",
    2: "NotEnoughChannels",
    3: "CodecTooComplex",
    4: "InvalidPartyID",
    5: "InvalidCallRef",
    6: "InvalidCodec",
    7: "InvalidPacketSize",
    8: "OutOfSockets",
    9: "EncoderOrDecoderFailed",
    10: "InvalidDynamicPayloadType",
    11: "RequestedIpAddrTypeUnAvailable",
    255: "DeviceOnHook",
};

/** CallHistoryInfo disposition. */
export const CALL_HISTORY_DISPOSITIONS: Readonly<Record<number, string>> = {
    0: "Ignore",
    1: "PlacedCalls",
    2: "ReceivedCalls",
    3: "MissedCalls",
    65535: "UnknownDisp",
};

/**
 * Forward types. There is no single enum on the wire (section 3.6): ForwardStatRes carries three
 * (active, number) pairs; the stimuli and CUCM softkey events for changing them are 5/6/7.
 */
export const FORWARD_TYPES: Readonly<Record<number, string>> = {
    5: "ForwardAll",
    6: "ForwardBusy",
    7: "ForwardNoAnswer",
};

/** LineStatV2Res lineType bits. */
export const LINE_TYPE_BITS: Readonly<Record<number, string>> = {
    1: "OrigDialed",
    2: "RedirDialed",
    4: "CallingPartyNumber",
    8: "CallingPartyName",
};

/** RegisterReq / RegisterAck phoneFeatures bits as Wireshark names them. */
export const PHONE_FEATURE_BITS: Readonly<Record<number, string>> = {
    16: "UTF8",
    128: "DynamicMessages",
    512: "RFC2833",
    32768: "Abbreviated.Dial",
};

/**
 * The value an enum table gives `name` (`enumValue(TONES, "ReorderTone")` = 0x25), so code that needs a
 * value by name takes it from the table instead of keeping a copy. Throws for a name the table lacks (at
 * module load, where such constants are made).
 */
export function enumValue(table: Readonly<Record<number, string>>, name: string): number {
    for (const [value, n] of Object.entries(table)) if (n === name) return Number(value);
    throw new Error(`no ${name} in the enum table`);
}
