/**
 * The engine's read-only port over the cluster model. The composition root implements it on top of
 * ClusterModel; tests use FakeClusterView (test/callback/fakeView.ts). Every answer is about the engine's
 * `now` and every time is in the engine's clock (milliseconds, the capture clock × 1000 in the service).
 */
import type { DnState } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";

/** A directory number's combined state (every device that has it) and since when (ms; null: not known). */
export interface DnStateView {
    readonly state: DnState;
    readonly sinceMs: number | null;
}

/** A live call of a device as far as Call Back cares: whom it calls and whether it is connected. */
export interface OutgoingCallView {
    /** Called number (CallInfo calledParty or the digits dialled); null while unknown. */
    readonly dn: string | null;
    readonly connected: boolean;
}

/** A device as the engine needs it. */
export interface EngineDeviceView {
    /** Stable key (device name, or "@ip"), the same as ClusterEvent.device. */
    readonly key: string;
    readonly name: string | null;
    /** Address to push to (observed, else the static directory's push address). */
    readonly ip: string | null;
    /** Model name (e.g. "Cisco IP Phone 7960"), null while unknown. */
    readonly model: string | null;
    readonly registered: boolean;
    /** No active call on any line (on hook, nothing ringing). */
    readonly idle: boolean;
    /** The seed's softkey models (7960, 7940, 7912, 7905). Informational: the engine matches `model` against
     *  the configurable `callback.callerModels` instead. */
    readonly supportsCallBackSoftkey: boolean;
    /** Whether Call Back may be activated on this device as called phone (the seed's list); null: unknown. */
    readonly callBackTarget: boolean | null;
    /** Whether the phone takes XSI pushes (XML services, from its device type); null: unknown (pushed to). */
    readonly xsiPush?: boolean | null;
    /** The phone's clock at `now` (for the "available" screen); null when never seen. */
    readonly phoneTime: PhoneTime | null;
    /** Locale from the static directory (for the shell's screens; the engine does not use it). */
    readonly locale?: string | null;
}

/** Read-only view of the cluster. Must not change during one `handle` call. */
export interface ClusterView {
    /** True when the DN is in this cluster's directory (observed, static directory or CTI). */
    dnKnown(dn: string): boolean;
    /**
     * True when the box can watch the DN's state: SCCP traffic of one of its devices was seen (this run, or an
     * earlier one on this mirror port), or CTI line events of it. A number only in the static directory is not.
     */
    dnObservable(dn: string): boolean;
    /** Call Forward All target of the DN, or null when not forwarded. */
    forwardAll(dn: string): string | null;
    dnState(dn: string): DnStateView;
    device(deviceKey: string): EngineDeviceView | null;
    /** Keys of the devices that have the DN on a line. */
    devicesOfDn(dn: string): readonly string[];
    /** Live outgoing calls of a device (to see the caller dialling the called number). */
    outgoingCalls(deviceKey: string): readonly OutgoingCallView[];
    /** At least one phone↔CallManager link is observed (the service can see the cluster). */
    cmLinkObserved(): boolean;
    /** The deployment relies on CTI for line state (e.g. callees outside the mirror port). */
    ctiRequired(): boolean;
    ctiUp(): boolean;
}
