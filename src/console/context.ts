/** What every console command sees: the service (through a narrow interface), the providers, the session. */
import type { EngineEffect } from "../callback/types.js";
import type { ClusterModel } from "../cluster/model.js";
import type { ClusterEvent } from "../cluster/types.js";
import type { SaveResult } from "../config/saved.js";
import type { Config } from "../config/types.js";
import type { AlarmInstance } from "../mgmt/alarmManager.js";
import type { SetParameterResult } from "../mgmt/configControl.js";
import type { RedundancyStatus } from "../redundancy/manager.js";
import type { PhoneHttpPort, PushPort } from "../service/phonePorts.js";
import type { ServiceApiHost } from "../service/serviceApi.js";
import type { SlotStore } from "../store/slots.js";
import type { SnapshotWriter } from "../store/snapshotWriter.js";
import type { WireCounters } from "../wire/types.js";
import type { SessionControl } from "./session.js";

/**
 * What the console reads of the running service (CallbackService satisfies it): the model's views, the
 * engine state, the counters, and the few adapters `test push` and `write snapshot` use.
 */
export interface ConsoleService extends ServiceApiHost {
    readonly config: Config;
    readonly model: ServiceApiHost["model"] &
        Pick<
            ClusterModel,
            "allDns" | "callManagers" | "dn" | "dnState" | "isObservableDn" | "liveCalls" | "unlearnedPhones"
        >;
    readonly pipeline: { readonly counters: Readonly<WireCounters> };
    readonly writer: ServiceApiHost["writer"] & Pick<SnapshotWriter, "stats">;
    readonly store: ServiceApiHost["store"] & Pick<SlotStore, "stats">;
    readonly push: Pick<PushPort, "push"> | null;
    readonly http: Pick<PhoneHttpPort, "issue" | "baseUrl">;
}

/** Debug channels (`debug sccp|qbe|callback|xsi`) and the log namespaces they raise to debug. */
export const DEBUG_CHANNELS = { sccp: "sccp", qbe: "qbe", callback: "callback", xsi: "phone" } as const;
export type DebugChannel = keyof typeof DEBUG_CHANNELS;

/** A service event as the console sees it (cluster events and engine effects). */
export type ConsoleEvent = ClusterEvent | EngineEffect;

/** Capture statistics for `show capture`. */
export interface CaptureStats {
    interface: string | null;
    file?: string | null;
    filter?: string;
    packets: number;
    drops: number;
    ifDrops?: number;
}

/** Optional providers; each `show` degrades to what the service itself knows when absent. */
export interface ConsoleProviders {
    /** Active alarms (MqttManagement.alarms). Absent: the engine's own alarm ids. */
    alarms?: { active(): AlarmInstance[]; clear?(id: string): void };
    /** The MQTT plane (MqttManagement). */
    mqtt?: { readonly connected: boolean; status(): Record<string, unknown> };
    /** Validated configuration changes, kept for the next start (ConfigControl). */
    configControl?: {
        readonly current: Config;
        setParameter(key: string, value: unknown): Promise<SetParameterResult>;
        /** `write memory`. */
        saveConfig?(): Promise<SaveResult>;
        /** What the next start runs with. */
        startup?(): Config;
        /** Keys whose running value is not saved. */
        unsaved?(): string[];
    };
    /** This box's redundancy role and the other boxes of the site (RedundancyManager.status). */
    redundancy?: () => RedundancyStatus;
    /** libpcap statistics of the live capture. */
    capture?: () => CaptureStats;
    /** Restarts the service (systemd restarts the process); absent: `reload` is refused. */
    reload?: () => void | Promise<void>;
    /** Recent log lines (newest last) for `show log`; absent: the console's own event log. */
    logLines?: (n: number) => string[];
    version?: string;
    hostname?: string;
    /** `debug` also raises the channel's log namespace to debug (journald); default true. */
    logLevels?: boolean;
}

/** Per-session debug state. */
export interface DebugState {
    channels: Set<DebugChannel>;
    device: string | null;
}

/** Everything a command sees. */
export interface ConsoleContext {
    service: ConsoleService;
    providers: ConsoleProviders;
    session: SessionControl;
    debug: DebugState;
    /** Shared event and alarm history of the console hub (newest last). */
    history(): { events: readonly string[]; alarms: readonly string[] };
    startedAt: number;
    /** Debug channels wanted by any session (recomputed on debug/undebug). */
    onDebugChanged(): void;
}
