/**
 * From the `mqtt` config section (src/config/sections/mqtt.ts) to what MqttManagement needs: broker
 * options with the PEM files read, identity, read-only flag and telemetry period.
 */
import { MQTT_SECTION_SCHEMA, type MqttSectionConfig } from "../config/sections/mqtt.js";
import { ConfigError } from "../errors.js";
import { readFileBoundedSync } from "../util/boundedRead.js";
import type { BrokerOptions } from "./brokerClient.js";
import type { PayloadEncoding } from "./payloads.js";

export { MQTT_SECTION_SCHEMA, type MqttSectionConfig };

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
