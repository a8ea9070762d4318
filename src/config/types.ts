import type { LogLevel } from "../logging/levels.js";
import type { ReassemblyOptions } from "../wire/reassembly.js";
import type { ServiceParameterEntry } from "./parameters.js";
import type { ConsoleSectionConfig } from "./sections/console.js";
import type { MqttSectionConfig } from "./sections/mqtt.js";

/** `capture` section: where packets come from and which ports are kept. */
export interface CaptureConfig {
    /** Live interface to open (e.g. "eth0"); null: none, use `file` or the demo. */
    interface: string | null;
    /** pcap/pcapng file to read; null: none. */
    file: string | null;
    /** TCP ports carrying SCCP. */
    sccpPorts: number[];
    /** TCP ports carrying CTI/QBE; null: `[cti.port]` (see `qbePorts()` in load.ts). */
    qbePorts: number[] | null;
    /** BPF filter override; null: built from the ports (see `captureFilter()`). */
    filter: string | null;
    bufferSizeBytes: number;
    snapLength: number;
    promiscuous: boolean;
}

/** `reassembly` section: the reassembler's bounds (server ports come from the capture section). */
export type ReassemblyConfig = Omit<ReassemblyOptions, "serverPorts">;

/** `log` section. */
export interface LogConfig {
    /** Default level for every module. */
    level: LogLevel;
    /** Module namespace → level (a namespace also covers its sub-namespaces). */
    modules: Record<string, LogLevel>;
    /** Human-readable lines instead of JSON. */
    pretty: boolean;
}

/** Maps a parameter's `type` to its TS type. */
type ParameterValue<T> = T extends "integer" ? number : T extends "boolean" ? boolean : string;
type SectionOf<K> = K extends `${infer S}.${string}` ? S : never;

/** The sections contributed by the service parameter table, derived so the table stays the only source. */
export type ParameterSections = {
    [S in SectionOf<ServiceParameterEntry["key"]>]: {
        [P in ServiceParameterEntry as P["key"] extends `${S}.${infer K}` ? K : never]: ParameterValue<P["type"]>;
    };
};

/** `phones` section (hand-written keys; the service parameters add theirs). */
export interface PhonesConfig {
    pushUrl: string;
    pushUser: string | null;
    pushPassword: string | null;
}

/** `http` section: the phone-facing service. */
export interface HttpConfig {
    listen: string;
    publicUrl: string | null;
}

/** One phone of the static directory. */
export interface DirectoryEntryConfig {
    dn: string;
    deviceName: string;
    model?: string;
    pushAddress?: string;
    locale?: string;
}

/** The whole configuration, mutable shape (what a file or an override holds once complete). */
export type ConfigShape = {
    capture: CaptureConfig;
    reassembly: ReassemblyConfig;
    log: LogConfig;
    phones: PhonesConfig;
    http: HttpConfig;
    locale: { default: string };
    directory: DirectoryEntryConfig[];
    state: { dir: string | null };
    mqtt: MqttSectionConfig;
    console: ConsoleSectionConfig;
} & ParameterSections;

/** Deeply readonly view. */
export type DeepReadonly<T> = T extends (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Deeply optional view (for overrides). */
export type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The loaded, validated, deeply frozen configuration. */
export type Config = DeepReadonly<ConfigShape>;

/** Names of the top-level sections. */
export type SectionName = keyof ConfigShape;
