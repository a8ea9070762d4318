/** The `mqtt` config section: broker, identity, security of the management plane (see docs/MQTT-API.md). */
import type { SchemaNode } from "../schemaNode.js";

/** A site or node id as it appears in topics. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** How alarm events and telemetry are encoded on the wire. */
export type PayloadEncoding = "json" | "protobuf";

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
