/**
 * A proposed `mqtt` section for the config schema (the management plane itself takes a plain options
 * object, so it does not depend on this). To adopt it, add MQTT_SECTION_SCHEMA as `properties.mqtt` in
 * src/config/schema.ts and `mqtt: MqttSectionConfig` to ConfigShape in src/config/types.ts; then
 * `mqttOptionsFromSection()` turns the section into what MqttManagement needs.
 */
import type { SchemaNode } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { readFileBoundedSync } from "../util/boundedRead.js";
import type { BrokerOptions } from "./brokerClient.js";
import type { PayloadEncoding } from "./payloads.js";
import { ID_PATTERN } from "./topics.js";

/** The `mqtt` config section. */
export interface MqttSectionConfig {
    /** Broker URL (`mqtt://host:1883`, `mqtts://host:8883`); null: no MQTT (the demo runs an embedded broker). */
    url: string | null;
    site: string;
    node: string;
    username: string | null;
    password: string | null;
    /** PEM files for mqtts://. */
    caFile: string | null;
    certFile: string | null;
    keyFile: string | null;
    protocolVersion: 4 | 5;
    /** Refuse mutating commands and desired configurations. */
    readOnly: boolean;
    telemetryIntervalS: number;
    willDelayS: number;
    /** Alarm events and telemetry as JSON or as protobuf (callbackd_mgmt.proto). */
    encoding: PayloadEncoding;
}

/** Nullable string leaf. */
function nullable(maxLength: number, description: string): SchemaNode {
    return { type: ["string", "null"], minLength: 1, maxLength, default: null, requiresRestart: true, description };
}

const ID = ID_PATTERN.source;

/** JSON schema of the section (draft-07, with the project's `requiresRestart` and `unit` keywords). */
export const MQTT_SECTION_SCHEMA: SchemaNode = {
    type: "object",
    description: "MQTT management plane: broker, identity, security (see docs/MQTT-API.md).",
    additionalProperties: false,
    properties: {
        url: {
            ...nullable(1024, "Broker URL (mqtt:// or mqtts://); null: no MQTT (the demo runs an embedded broker)."),
            pattern: "^mqtts?://",
            patternHint: "an mqtt:// or mqtts:// URL",
        },
        site: {
            type: "string",
            pattern: ID,
            default: "site",
            requiresRestart: true,
            description: "Site id in topics.",
        },
        node: {
            type: "string",
            pattern: ID,
            default: "callbackd",
            requiresRestart: true,
            description: "Node id in topics.",
        },
        username: nullable(256, "Broker username."),
        password: nullable(256, "Broker password (never logged)."),
        caFile: nullable(4096, "PEM file of the CA that signed the broker's certificate."),
        certFile: nullable(4096, "PEM file of this box's client certificate."),
        keyFile: nullable(4096, "PEM file of the client certificate's key."),
        protocolVersion: {
            type: "integer",
            enum: [4, 5],
            default: 5,
            requiresRestart: true,
            description: "MQTT 5 or 3.1.1.",
        },
        readOnly: { type: "boolean", default: false, requiresRestart: true, description: "Refuse mutating commands." },
        telemetryIntervalS: {
            type: "integer",
            minimum: 0,
            maximum: 86400,
            default: 60,
            unit: "s",
            requiresRestart: true,
            description: "Telemetry period; 0: off.",
        },
        encoding: {
            type: "string",
            enum: ["json", "protobuf"],
            default: "json",
            requiresRestart: true,
            description:
                "Alarm events and telemetry as JSON (what mosquitto_sub shows) or protobuf (callbackd_mgmt.proto).",
        },
        willDelayS: {
            type: "integer",
            minimum: 0,
            maximum: 3600,
            default: 0,
            unit: "s",
            requiresRestart: true,
            description: "MQTT 5 Will delay: a reconnect within it publishes no death.",
        },
    },
};

/** Largest PEM file read (a CA bundle is a few hundred KiB). */
const MAX_PEM_BYTES = 4 * 1024 * 1024;

/** Reads a PEM file the operator named: a regular file of bounded size. */
function readPem(file: string): string {
    return readFileBoundedSync(file, MAX_PEM_BYTES).toString("utf8");
}

/** Broker options, read-only flag and telemetry period from the section (`url` must be set; PEM files are read). */
export function mqttOptionsFromSection(
    section: Readonly<MqttSectionConfig>,
    read: (file: string) => string = readPem,
): {
    site: string;
    node: string;
    broker: BrokerOptions;
    readOnly: boolean;
    telemetryIntervalMs: number;
    encoding: PayloadEncoding;
} {
    const broker: BrokerOptions = {
        url: section.url ?? "mqtt://127.0.0.1:1883",
        protocolVersion: section.protocolVersion,
        willDelayS: section.willDelayS,
    };
    if (section.username !== null) broker.username = section.username;
    if (section.password !== null) broker.password = section.password;
    if (section.caFile !== null || section.certFile !== null || section.keyFile !== null) {
        broker.tls = {};
        const load = (key: string, file: string): string => {
            try {
                return read(file);
            } catch (err) {
                const why = err instanceof Error ? err.message : String(err);
                throw new ConfigError("CONFIG_READ", `mqtt.${key}: cannot read ${file}: ${why}`, {
                    key: `mqtt.${key}`,
                });
            }
        };
        if (section.caFile !== null) broker.tls.ca = load("caFile", section.caFile);
        if (section.certFile !== null) broker.tls.cert = load("certFile", section.certFile);
        if (section.keyFile !== null) broker.tls.key = load("keyFile", section.keyFile);
    }
    return {
        site: section.site,
        node: section.node,
        broker,
        readOnly: section.readOnly,
        telemetryIntervalMs: section.telemetryIntervalS * 1000,
        encoding: section.encoding,
    };
}
