/**
 * Public types of the cluster model: options, the plain serialisable views returned by queries, and the
 * domain events. Times are capture times in seconds (the pipeline's `ts`).
 */

/** Registration of a device as observed. "unknown": only a standby link or nothing decisive seen. */
export type RegistrationState = "registering" | "registered" | "unregistered" | "rejected" | "unknown";

/** State of a directory number (or of one device's line). */
export type DnState = "idle" | "ringing" | "busy" | "unknown";

/** Direction of a call leg from the phone's point of view. */
export type CallDirection = "inbound" | "outbound" | "forwarded" | "unknown";

/** Role of a phone↔CallManager TCP connection. */
export type LinkRole = "primary" | "standby" | "unknown";

/** State of a phone↔CallManager link: "refused" = connection attempts that never carried a message. */
export type LinkState = "up" | "down" | "refused";

/** Cluster-level CTI condition. */
export type CtiStatus = "unknown" | "up" | "down" | "failed";

/** State of one observed CTI session. */
export type CtiSessionState = "opening" | "up" | "down" | "failed";

/** How call states are learned on a device: CallState messages, or derived (old CallManagers). */
export type CallStateMode = "callstate" | "derived" | "unknown";

/** What the caller heard when pressing CallBack. */
export type CallBackTrigger = "busy" | "ringback" | "reorder";

/** Why a device counts as unregistered. */
export type UnregisterReason =
    | "unregister"
    | "connection-closed"
    | "keepalive-timeout"
    | "reset"
    | "rejected"
    | "superseded"
    | "evicted";

/** One entry of the optional static directory (phones that are not on this mirror port). */
export interface StaticDirectoryEntry {
    dn: string;
    deviceName: string;
    /** Model name (free text, e.g. "Cisco IP Phone 7960"). */
    model?: string;
    /** Where XSI pushes go (IP or host), when the device is not observed. */
    pushAddress?: string;
    /** Locale for screens, e.g. "de_DE". */
    locale?: string;
}

/** Options of the model (service parameters as plain numbers, plus bounds). */
export interface ClusterModelOptions {
    /** Receives every domain event, synchronously, in order. */
    onEvent?: (event: ClusterEvent) => void;
    /** A device is unregistered after this many keepalive intervals without a message from it (default 3). */
    keepAliveMultiple?: number;
    /** Keepalive interval assumed until a RegisterAck is seen (seconds, default 30). */
    defaultKeepAliveS?: number;
    /** Standby keepalive interval assumed until a RegisterAck is seen (seconds, default 60). */
    defaultSecondaryKeepAliveS?: number;
    /** Devices tracked at once (default 50,000); beyond it the least recently seen are forgotten. */
    maxDevices?: number;
    /** Live calls tracked at once (default 100,000); beyond it the oldest are dropped. */
    maxCalls?: number;
    /** SCCP connections tracked at once (default 100,000). */
    maxConnections?: number;
    /** Two legs of an internal call are matched when they start within this many seconds (default 10). */
    legMatchWindowS?: number;
    /** Ended calls kept for queries (default 64; 0 disables). */
    recentCalls?: number;
    /** CTI sessions remembered (default 64). */
    maxCtiSessions?: number;
    /** CTI lines, calls and devices remembered, each (default 100,000). */
    maxCtiEntries?: number;
    /** Phones not on this mirror port (config `directory`). */
    staticDirectory?: readonly StaticDirectoryEntry[];
    /** Knowledge of a device not seen for this many days is dropped (default 30). */
    knowledgeMaxAgeDays?: number;
}

/** Call forwarding of one line: the target number when active, else null. */
export interface ForwardingView {
    all: string | null;
    busy: string | null;
    noAnswer: string | null;
}

/** One phone↔CallManager link. */
export interface LinkView {
    /** CallManager "ip:port". */
    cm: string;
    role: LinkRole;
    state: LinkState;
    since: number;
    lastSeen: number;
    keepAlives: number;
    /** Connection attempts (refused ones included). */
    attempts: number;
}

/** One call leg on a device line. */
export interface CallView {
    device: string;
    line: number;
    callRef: number;
    /** SCCP call state (§3.1), or null when not known yet. */
    state: number | null;
    stateName: string;
    /** "callstate" (from CallState) or "derived" (old CallManager: hook, lamps, tones, ringer). */
    source: "callstate" | "derived";
    direction: CallDirection;
    callingParty: string | null;
    callingPartyName: string | null;
    calledParty: string | null;
    calledPartyName: string | null;
    originalCalledParty: string | null;
    lastRedirectingParty: string | null;
    /** Digits dialled (DialedNumber, EnblocCall or keypad digits). */
    dialed: string | null;
    /** Tone playing now, and the last call-progress tone heard (busy, ringback, reorder). */
    tone: number | null;
    lastProgressTone: number | null;
    /** Busy seen by tone 0x23, CallState Busy, or a "Busy" prompt. */
    busySeen: boolean;
    softKeySet: number | null;
    startedAt: number;
    stateSince: number;
    connectedAt: number | null;
    endedAt: number | null;
    uncertain: boolean;
    /** The other leg of an internal call, when matched. */
    peer: { device: string; line: number; callRef: number } | null;
}

/** One line (button) of a device. */
export interface LineView {
    instance: number;
    dn: string | null;
    /** "linestat" (LineStatRes/V2), "callinfo" (inferred from a call's numbers) or null. */
    dnSource: "linestat" | "callinfo" | null;
    displayName: string | null;
    label: string | null;
    state: DnState;
    uncertain: boolean;
    forwarding: ForwardingView | null;
    calls: CallView[];
}

/** The phone's own clock, as set by DefineTimeDate, advanced to a given capture time. */
export interface PhoneTimeView {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    /** 0 = Sunday. */
    dayOfWeek: number;
    dateTemplate: string | null;
    /** Offset of the phone's local time from the CallManager's UTC clock, seconds (rounded to minutes). */
    utcOffsetS: number | null;
    /** When the phone's clock was last set (capture time). */
    setAt: number;
}

/** Softkey configuration learned for a device. */
export interface SoftKeysView {
    /** "device": learned from this device's registration; "cm": the last template this CallManager sent. */
    source: "device" | "cm" | null;
    /** Event number the CallBack key (label 0x80 0x41) sends, when in the template. */
    callBackEvent: number | null;
    /** CallBack present in the On Hook / Ring Out / Connected Transferable sets (null: sets not learned). */
    callBackInOnHook: boolean | null;
    callBackInRingOut: boolean | null;
    callBackInConnectedTransfer: boolean | null;
    /** The template: event → label. */
    keys: { event: number; label: string; labelCode: number | null }[];
}

/** How a device was first learned: its registration was seen, or only its traffic (the registration missed). */
export type LearnedBy = "registration" | "traffic";

/** What a phone with traffic lacks for Call Back. */
export type Missing = "callback-key" | "numbers";

/** How the box knows a device (durable knowledge, see cluster/knowledge.ts). */
export interface DeviceKnowledgeView {
    learnedBy: LearnedBy;
    /** Capture time (s) of the registration, or of the first traffic. */
    learnedAt: number;
    /** Restored from flash and not registered since. */
    restored: boolean;
    /** Capture time (s) the device was first seen on the wire by this run (restored knowledge is then confirmed). */
    seenAt: number | null;
    /** What the phone lacks for Call Back (empty when nothing, or when it was not seen by this run). */
    missing: Missing[];
}

/** A device (phone) as observed. */
export interface DeviceView {
    /** Stable key: the device name, or "@<ip>" until the name is known. */
    key: string;
    name: string | null;
    /** 12 upper-case hex digits, from the SEP name or the RegisterReq. */
    mac: string | null;
    /** Address of the phone's TCP connection. */
    ip: string | null;
    stationIp: string | null;
    deviceType: number | null;
    model: string | null;
    /** True for the models of the feature guide that can press CallBack (7960, 7940, 7912, 7905). */
    supportsCallBackSoftkey: boolean;
    firmware: string | null;
    protocolVersion: number | null;
    cmProtocolVersion: number | null;
    headerVersion: number | null;
    registration: RegistrationState;
    /** Registration inferred from call traffic (the registration itself was not seen). */
    inferred: boolean;
    registeredAt: number | null;
    unregisteredReason: UnregisterReason | null;
    keepAliveS: number | null;
    secondaryKeepAliveS: number | null;
    dateTemplate: string | null;
    userName: string | null;
    serverName: string | null;
    /** CallManager "ip:port" of the primary link, if up. */
    cm: string | null;
    lastSeen: number;
    uncertain: boolean;
    callStateMode: CallStateMode;
    links: LinkView[];
    lines: LineView[];
    softKeys: SoftKeysView;
    /** The phone clock as of the last message (see `phoneTime(device, now)` for another instant). */
    phoneTime: PhoneTimeView | null;
    /** Registration state reported by CTI for this device name, when any. */
    ctiRegistered: boolean | null;
    /** The static directory entries naming this device (locale, push address). */
    static: StaticDirectoryEntry[];
    knowledge: DeviceKnowledgeView;
}

/** A directory number across every device that has it. */
export interface DnView {
    dn: string;
    state: DnState;
    uncertain: boolean;
    /** Where the state comes from: SCCP lines of registered devices, CTI line events, or nothing. */
    stateSource: "sccp" | "cti" | null;
    /** True when the DN is in this cluster as far as the box knows (observed, static directory or CTI). */
    known: boolean;
    devices: { device: string; name: string | null; line: number; registration: RegistrationState; state: DnState }[];
    /** Forwarding of the DN (from any device's line; CFA is a DN setting). */
    forwarding: ForwardingView | null;
    static: StaticDirectoryEntry[];
    cti: { state: DnState; devices: string[] } | null;
}

/** Counters (bounded maps, dropped input). */
export interface ClusterStats {
    messages: number;
    devices: number;
    calls: number;
    connections: number;
    dns: number;
    devicesEvicted: number;
    callsEvicted: number;
    callsEnded: number;
    connectionsEvicted: number;
    gaps: number;
    ctiEvents: number;
    events: number;
    /** Devices whose knowledge was dropped, not seen within `knowledgeMaxAgeDays`. */
    knowledgeExpired: number;
}

interface EventBase {
    /** Capture time, seconds. */
    t: number;
}

/** Domain events, emitted on change. */
export type ClusterEvent =
    | (EventBase & {
          type: "DeviceRegistered";
          device: string;
          name: string | null;
          ip: string | null;
          model: string | null;
          deviceType: number | null;
          cm: string;
          inferred: boolean;
      })
    | (EventBase & {
          type: "DeviceUnregistered";
          device: string;
          name: string | null;
          ip: string | null;
          reason: UnregisterReason;
      })
    | (EventBase & { type: "LineStateChanged"; dn: string; from: DnState; to: DnState; uncertain: boolean })
    | (EventBase & {
          type: "CallBackPressed";
          device: string;
          name: string | null;
          ip: string | null;
          /** Line instance, or null when pressed on the idle screen. */
          line: number | null;
          callerDn: string | null;
          callRef: number;
          callState: number | null;
          callStateName: string | null;
          calledDn: string | null;
          /** The other party: the called number of an outgoing call, the calling number of an incoming one. */
          partyDn?: string | null;
          tone: number | null;
          toneName: string | null;
          trigger: CallBackTrigger | null;
          /** "softkey" (SoftKeyEvent mapped to label 0x41) or "stimulus" (button 0x86). */
          source: "softkey" | "stimulus";
          softKeySet: number | null;
      })
    | (EventBase & {
          type: "SoftKeyPressed";
          device: string;
          name: string | null;
          line: number | null;
          callRef: number;
          event: number;
          label: string | null;
          labelCode: number | null;
          source: "softkey" | "stimulus";
          callState: number | null;
      })
    | (EventBase & {
          type: "ForwardingChanged";
          device: string;
          name: string | null;
          line: number;
          dn: string | null;
          from: ForwardingView | null;
          to: ForwardingView;
      })
    | (EventBase & {
          type: "CtiLinkChanged";
          session: string;
          from: CtiSessionState | null;
          to: CtiSessionState;
          reason: string | null;
          /** Cluster-level condition before and after. */
          statusFrom: CtiStatus;
          status: CtiStatus;
      })
    | (EventBase & {
          type: "CallManagerLinkChanged";
          device: string;
          name: string | null;
          ip: string | null;
          cm: string;
          roleFrom: LinkRole | null;
          role: LinkRole;
          from: LinkState | null;
          to: LinkState;
          reason: string;
      });

/** Event type names. */
export type ClusterEventType = ClusterEvent["type"];
