/** The MQTT management plane: alarms, telemetry, commands and configuration (see docs/MQTT-API.md). */
export {
    type AlarmEventData,
    type AlarmInstance,
    AlarmManager,
    fingerprint,
    type RaiseOptions,
} from "./alarmManager.js";
export { ALARM_CATALOGUE, type AlarmDefinition, type AlarmId, alarmDefinition, type Severity } from "./catalogue.js";
export { contentType, decodeAlarmEvent, decodeTelemetry, PROTO_TEXT, type TelemetrySample } from "./codec.js";
export type { CommandResponse, ServiceApi } from "./commands.js";
export { MQTT_SECTION_SCHEMA, type MqttSectionConfig, mqttOptionsFromSection } from "./config.js";
export { type ConfigApplier, ConfigControl, type ReportedConfig } from "./configControl.js";
export { type EmbeddedBroker, startEmbeddedBroker } from "./embeddedBroker.js";
export { MgmtError, RESPONSE_CODES, type ResponseCode } from "./errors.js";
export { type BrokerOptions, MqttManagement, type MqttManagementOptions } from "./mqttManagement.js";
export { corruptSlotAlarms, storeHealthAlarms } from "./storeAlarms.js";
export { nodeTopics, TOPIC_ROOT } from "./topics.js";
