/** The management plane's options, payloads and counters (mqttManagement.ts). */

import type { PayloadEncoding } from "../config/sections/mqtt.js";
import type { Config } from "../config/types.js";
import type { Logger } from "../logging/logger.js";
import type { MqttConnector } from "../mqtt/link.js";
import type { FlashFs } from "../store/flashFs.js";
import type { Clock } from "../util/clock.js";
import type { FlapSettings } from "./alarmManager.js";
import type { BrokerOptions } from "./brokerClient.js";
import type { AlarmPolicy } from "./catalogue.js";
import type { TelemetrySample } from "./codec.js";
import type { ServiceApi } from "./commands.js";
import type { ConfigApplier, ConfigControl } from "./configControl.js";

/** Options of the management plane. */
export interface MqttManagementOptions {
    site: string;
    node: string;
    broker: BrokerOptions;
    /** Directory for the session number and the alarm outbox (files `mgmt-state.*`, `outbox-*`). */
    flash: FlashFs;
    /**
     * The configuration at start and how to apply an accepted one (throw a CallbackdError to refuse), or a
     * ConfigControl shared with the console (`callbackd run`).
     */
    config: { boot: Config; apply: ConfigApplier } | { control: ConfigControl };
    /** Service version for birth and status. */
    version: string;
    /** Refuse mutating commands and desired configurations. */
    readOnly?: boolean;
    /** Alarm events and telemetry as JSON (default) or protobuf (payloads.ts). */
    encoding?: PayloadEncoding;
    telemetry?: {
        /** Period (default 60000; 0 turns telemetry off). */
        intervalMs?: number;
        provider?: () => TelemetrySample | Promise<TelemetrySample>;
    };
    /** The Call Back operations (can also be attached later with attachService). */
    service?: ServiceApi;
    /** Called by the `restart` command after its `accepted` response is out. */
    restart?: () => Promise<void> | void;
    alarms?: { policies?: Readonly<Record<string, Partial<AlarmPolicy>>>; flap?: Partial<FlapSettings> };
    outbox?: { segmentBytes?: number; maxSegments?: number };
    /** Alarm events in flight at once (default 32). */
    inflightWindow?: number;
    /** Wall clock and timers (default: the real ones). */
    clock?: Clock;
    logger?: Logger;
    /** Opens the broker connection (default: mqtt.js; tests pass a FakeBroker's). */
    connector?: MqttConnector;
}

/** Payload of `status`. */
export interface StatusPayload {
    online: boolean;
    session: number;
    /** When it was published (birth, clean death); absent in the Will, which the broker sends later. */
    ts?: number;
    /** The Will only: when the connection it belongs to was made (the Will is fixed at connect). */
    connectedAt?: number;
    /** Death only: true when published on a clean shutdown, false when it is the Will. */
    clean?: boolean;
    boot?: string;
    version?: string;
    readOnly?: boolean;
}

/** Counters of the management plane. */
export interface MgmtStats {
    connects: number;
    eventsSent: number;
    telemetrySent: number;
    telemetrySkipped: number;
    responsesSent: number;
    ignoredMessages: number;
}
