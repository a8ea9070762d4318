// GENERATED FILE, do not edit: `npm run build` (scripts/gen-validators.mjs) writes it from CONFIG_SCHEMA
// (src/config/schema.ts) with ajv 8.20.0 standalone code; test/config/validatorSource.test.ts checks
// that it is up to date. Left out of test coverage (c8 ignore): it is ajv's code, not ours; the tests check
// that it answers as ajv compiling the schema at run time does.
/* c8 ignore start */
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://callbackd.invalid/config.schema.json","title":"callbackd configuration","type":"object","additionalProperties":false,"required":["capture","reassembly","log","phones","http","locale","directory","mqtt","console","state","cti","service","callback","cluster","redundancy"],"properties":{"capture":{"type":"object","description":"Packet source and which TCP ports are kept.","additionalProperties":false,"properties":{"interface":{"type":["string","null"],"default":null,"minLength":1,"maxLength":256,"requiresRestart":true,"description":"Live interface to capture on (e.g. eth0); null: none, use file or demo."},"file":{"type":["string","null"],"default":null,"minLength":1,"maxLength":4096,"requiresRestart":true,"description":"pcap/pcapng file to read; null: none."},"sccpPorts":{"type":"array","items":{"type":"integer","minimum":1,"maximum":65535},"minItems":1,"maxItems":16,"uniqueItems":true,"default":[2000],"requiresRestart":true,"description":"TCP ports carrying SCCP (Skinny)."},"qbePorts":{"type":["array","null"],"items":{"type":"integer","minimum":1,"maximum":65535},"maxItems":16,"uniqueItems":true,"default":null,"requiresRestart":true,"description":"TCP ports carrying CTI/QBE; null: [cti.port]."},"filter":{"type":["string","null"],"default":null,"minLength":1,"maxLength":1024,"requiresRestart":true,"description":"BPF filter override; null: built from the ports (tcp port 2000 or tcp port 2748)."},"bufferSizeBytes":{"type":"integer","default":10485760,"minimum":65536,"maximum":1073741824,"unit":"bytes","requiresRestart":true,"description":"Kernel capture buffer size."},"snapLength":{"type":"integer","default":65535,"minimum":64,"maximum":262144,"unit":"bytes","requiresRestart":true,"description":"Bytes kept of each packet."},"promiscuous":{"type":"boolean","default":true,"requiresRestart":true,"description":"Put the interface in promiscuous mode (needed on a mirror port)."}}},"reassembly":{"type":"object","description":"TCP stream reassembly bounds.","additionalProperties":false,"properties":{"maxConnections":{"type":"integer","default":65536,"minimum":1,"maximum":1048576,"unit":"count","requiresRestart":true,"description":"Connections tracked at once; the oldest idle is evicted."},"maxOutOfOrderBytesPerDirection":{"type":"integer","default":262144,"minimum":0,"maximum":16777216,"unit":"bytes","requiresRestart":true,"description":"Out-of-order bytes buffered per direction."},"maxOutOfOrderSegmentsPerDirection":{"type":"integer","default":256,"minimum":0,"maximum":65536,"unit":"count","requiresRestart":true,"description":"Out-of-order segments buffered per direction."},"gapTimeoutMs":{"type":"integer","default":2000,"minimum":0,"maximum":600000,"unit":"ms","requiresRestart":true,"description":"Wait for a missing segment before skipping the gap."},"idleTimeoutS":{"type":"integer","default":300,"minimum":1,"maximum":86400,"unit":"s","requiresRestart":true,"description":"Forget a connection idle this long."},"memoryCapBytes":{"type":"integer","default":67108864,"minimum":1048576,"maximum":2147483648,"unit":"bytes","requiresRestart":true,"description":"Total reassembly memory across connections."}}},"log":{"type":"object","description":"Structured logging (pino, JSON lines on stdout).","additionalProperties":false,"properties":{"level":{"type":"string","enum":["fatal","error","warn","info","debug","trace","silent"],"default":"info","requiresRestart":false,"description":"Default level of every module."},"modules":{"type":"object","propertyNames":{"pattern":"^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"},"additionalProperties":{"type":"string","enum":["fatal","error","warn","info","debug","trace","silent"],"requiresRestart":false},"default":{},"requiresRestart":false,"description":"Module namespace (e.g. wire.reassembly) to level; covers sub-namespaces."},"pretty":{"type":"boolean","default":false,"requiresRestart":false,"description":"Human-readable lines instead of JSON."}}},"phones":{"type":"object","description":"How the box reaches the phones (XSI push) and what it plays.","additionalProperties":false,"properties":{"pushUrl":{"type":"string","minLength":1,"maxLength":512,"default":"http://{ip}/CGI/Execute","requiresRestart":false,"description":"Push target template; placeholders {ip}, {device}, {mac}."},"pushUser":{"type":["string","null"],"default":null,"minLength":1,"maxLength":128,"requiresRestart":false,"description":"User (associated with the phones) for HTTP Basic auth of pushes."},"pushPassword":{"type":["string","null"],"default":null,"minLength":1,"maxLength":128,"requiresRestart":false,"description":"That user's password (never logged or published)."},"audioFileName":{"type":"string","title":"Audio File Name","description":"Plain file name of the 64 kbps mu-law alert sound phones play on Call Back notification.","default":"CallBack.raw","pattern":"^(?!\\.{1,2}$)[^/\\\\\\u0000]{1,255}$","patternHint":"a plain file name without a path","requiresRestart":true}}},"http":{"type":"object","description":"The phone-facing HTTP service (screens and softkeys).","additionalProperties":false,"properties":{"listen":{"type":"string","pattern":"^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Za-z.-]+):(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$","patternHint":"address:port with a port 0..65535, e.g. 0.0.0.0:8080 or [::]:8080","default":"0.0.0.0:8080","requiresRestart":true,"description":"Address and port the phone-facing service listens on."},"publicUrl":{"type":["string","null"],"default":null,"minLength":1,"maxLength":512,"requiresRestart":false,"description":"Base URL phones use to reach the service (e.g. http://10.1.1.5:8080); null: from the listen address."}}},"locale":{"type":"object","description":"Screen language.","additionalProperties":false,"properties":{"default":{"type":"string","pattern":"^[a-z]{2}_[A-Z]{2}$","patternHint":"a locale such as en_US or de_DE","default":"en_US","requiresRestart":false,"description":"Locale for phones with none in the directory and no Accept-Language."}}},"directory":{"type":"array","maxItems":100000,"default":[],"requiresRestart":false,"description":"Phones that are not on this mirror port (static directory).","items":{"type":"object","additionalProperties":false,"required":["dn","deviceName"],"properties":{"dn":{"type":"string","pattern":"^[0-9*#+]{1,24}$","patternHint":"digits, *, # or +"},"deviceName":{"type":"string","minLength":1,"maxLength":15},"model":{"type":"string","maxLength":64},"pushAddress":{"type":"string","maxLength":255},"locale":{"type":"string","pattern":"^[a-z]{2}_[A-Z]{2}$"}}}},"mqtt":{"type":"object","description":"MQTT management plane: broker, identity, security (see docs/MQTT-API.md).","additionalProperties":false,"properties":{"url":{"type":["string","null"],"minLength":1,"maxLength":1024,"default":null,"requiresRestart":true,"description":"Broker URL (mqtt:// or mqtts://); null: no MQTT (the demo runs an embedded broker).","pattern":"^mqtts?://","patternHint":"an mqtt:// or mqtts:// URL"},"site":{"type":"string","pattern":"^[a-z0-9][a-z0-9_-]{0,63}$","default":"site","requiresRestart":true,"description":"Site id in topics."},"node":{"type":"string","pattern":"^[a-z0-9][a-z0-9_-]{0,63}$","default":"callbackd","requiresRestart":true,"description":"Node id in topics."},"username":{"type":["string","null"],"minLength":1,"maxLength":256,"default":null,"requiresRestart":true,"description":"Broker username."},"password":{"type":["string","null"],"minLength":1,"maxLength":256,"default":null,"requiresRestart":true,"description":"Broker password (never logged)."},"caFile":{"type":["string","null"],"minLength":1,"maxLength":4096,"default":null,"requiresRestart":true,"description":"PEM file of the CA that signed the broker's certificate."},"certFile":{"type":["string","null"],"minLength":1,"maxLength":4096,"default":null,"requiresRestart":true,"description":"PEM file of this box's client certificate."},"keyFile":{"type":["string","null"],"minLength":1,"maxLength":4096,"default":null,"requiresRestart":true,"description":"PEM file of the client certificate's key."},"protocolVersion":{"type":"integer","enum":[4,5],"default":5,"requiresRestart":true,"description":"MQTT 5 or 3.1.1."},"readOnly":{"type":"boolean","default":false,"requiresRestart":true,"description":"Refuse mutating commands."},"telemetryIntervalS":{"type":"integer","minimum":0,"maximum":86400,"default":60,"unit":"s","requiresRestart":true,"description":"Telemetry period; 0: off."},"encoding":{"type":"string","enum":["json","protobuf"],"default":"json","requiresRestart":true,"description":"Alarm events and telemetry as JSON (what mosquitto_sub shows) or protobuf (callbackd_mgmt.proto)."},"willDelayS":{"type":"integer","minimum":0,"maximum":3600,"default":0,"unit":"s","requiresRestart":true,"description":"MQTT 5 Will delay: a reconnect within it publishes no death."}}},"console":{"type":"object","description":"Diagnostic console: serial device, loopback TCP port, login (see docs/CONSOLE.md).","additionalProperties":false,"properties":{"device":{"type":["string","null"],"minLength":1,"maxLength":4096,"default":"/dev/serial0","requiresRestart":true,"description":"Serial device of the console; null: none."},"baudRate":{"type":"integer","enum":[9600,19200,38400,57600,115200,230400],"default":115200,"requiresRestart":true,"description":"Serial speed."},"passwordHash":{"type":["string","null"],"pattern":"^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$","patternHint":"a hash made with `callbackd console --hash` (scrypt$N$r$p$salt$hash), or null","default":null,"requiresRestart":false,"description":"scrypt hash of the console password (callbackd console --hash); null: logins refused."},"enablePasswordHash":{"type":["string","null"],"pattern":"^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$","patternHint":"a hash made with `callbackd console --hash` (scrypt$N$r$p$salt$hash), or null","default":null,"requiresRestart":false,"description":"scrypt hash of the enable password; null: the login password."},"tcpEnabled":{"type":"boolean","default":true,"requiresRestart":true,"description":"Console on 127.0.0.1, port service.cbbChangeNotificationPort (2552)."},"idleTimeoutS":{"type":"integer","minimum":10,"maximum":86400,"default":600,"requiresRestart":false,"description":"Idle session logout."},"maxFailures":{"type":"integer","minimum":1,"maximum":100,"default":3,"requiresRestart":false,"description":"Failed logins before a lockout."},"lockoutS":{"type":"integer","minimum":1,"maximum":3600,"default":30,"requiresRestart":false,"description":"Lockout after too many failed logins."}}},"state":{"type":"object","description":"Where durable state lives.","additionalProperties":false,"properties":{"dir":{"type":["string","null"],"default":null,"minLength":1,"maxLength":4096,"requiresRestart":true,"description":"State directory (snapshots); null: $STATE_DIRECTORY under systemd, else ./state."}}},"cti":{"type":"object","description":"Service parameters (cti).","additionalProperties":false,"properties":{"port":{"type":"integer","title":"CTI Connecting Port","description":"TCP port of Cisco CTIManager (QBE); also the default QBE port to capture.","default":2748,"minimum":1,"maximum":65535,"unit":"port","requiresRestart":true},"providerOpenTimeoutMs":{"type":"integer","title":"Provider Open Call Time Out","description":"Wait after a provider open request is issued to CTIManager.","default":30000,"minimum":1000,"maximum":600000,"unit":"ms","requiresRestart":true},"heartbeatIntervalS":{"type":"integer","title":"HeartBeat Interval Time Out","description":"Interval of the heartbeats exchanged with CTIManager to keep the connection.","default":30,"minimum":1,"maximum":3600,"unit":"s","requiresRestart":true},"required":{"type":"boolean","title":"CTI Link Required","description":"The deployment learns line states through CTI: with the CTI link down, presses get \"Service not available.\" (false: the mirrored SCCP is enough).","default":false,"requiresRestart":true}}},"service":{"type":"object","description":"Service parameters (service).","additionalProperties":false,"properties":{"connectionRetryTimeoutMs":{"type":"integer","title":"Connection Retry Time Out","description":"Wait before reconnecting a dropped connection or retrying to open a capture interface.","default":60000,"minimum":1000,"maximum":3600000,"unit":"ms","requiresRestart":true},"synchronousRequestTimeoutMs":{"type":"integer","title":"Synchronous Request Time Out","description":"Wait for the answer to a synchronous request.","default":20000,"minimum":100,"maximum":600000,"unit":"ms","requiresRestart":true},"cbbChangeNotificationPort":{"type":"integer","title":"CBB Change Notification TCP Port","description":"TCP port that receives database change notifications.","default":2552,"minimum":1,"maximum":65535,"unit":"port","requiresRestart":true}}},"callback":{"type":"object","description":"Service parameters (callback).","additionalProperties":false,"properties":{"guardTimeMs":{"type":"integer","title":"Call Back Guard Timer","description":"Every device of the called number must stay idle this long before the caller is notified (ignores a brief on-hook).","default":3000,"minimum":0,"maximum":600000,"unit":"ms","requiresRestart":false},"protectionWindowMs":{"type":"integer","title":"Call Back Protection Timer","description":"Head start of the first requester: the other requesters of the same number are notified this long after it, if the number is still available.","default":20000,"minimum":0,"maximum":3600000,"unit":"ms","requiresRestart":false},"recallWindowMs":{"type":"integer","title":"Call Back Recall Timer","description":"After the notification the request ends when the caller dials the number, or after this time.","default":300000,"minimum":1000,"maximum":86400000,"unit":"ms","requiresRestart":false},"busyExpiryMin":{"type":"integer","title":"Call Back Busy Expiry Timer","description":"A request made on a busy number ends unserved after this time.","default":60,"minimum":1,"maximum":10080,"unit":"min","requiresRestart":false},"noAnswerExpiryMin":{"type":"integer","title":"Call Back No Answer Expiry Timer","description":"A request made on a number that did not answer ends unserved after this time.","default":120,"minimum":1,"maximum":10080,"unit":"min","requiresRestart":false},"maxActivePerCaller":{"type":"integer","title":"Maximum Call Back Requests Per Calling Phone","description":"Active requests one calling phone may have (the seed: one); beyond it the phone is offered to replace its oldest.","default":1,"minimum":1,"maximum":10,"unit":"count","requiresRestart":false},"maxQueuePerCallee":{"type":"integer","title":"Maximum Call Back Requests Per Called Number","description":"Requests queued on one called number, served in the order they were made; beyond it Call Back cannot be invoked.","default":5,"minimum":1,"maximum":100,"unit":"count","requiresRestart":false},"maxRequests":{"type":"integer","title":"Maximum Call Back Requests","description":"Requests kept in all (bounds memory and the state snapshot); beyond it Call Back cannot be invoked.","default":10000,"minimum":1,"maximum":1000000,"unit":"count","requiresRestart":false},"callerUnregisteredGraceS":{"type":"integer","title":"Calling Phone Unregistered Timer","description":"The requests of a calling phone that stays unregistered this long end (a phone restart keeps them).","default":600,"minimum":0,"maximum":86400,"unit":"s","requiresRestart":false},"callerModels":{"type":"string","title":"Call Back Calling Phone Models","description":"Models that may activate Call Back (matched as a word of the phone's model name); * allows every model.","default":"7960,7940,7912,7905","pattern":"^(\\*|[A-Za-z0-9 +-]+(,[A-Za-z0-9 +-]+)*)$","patternHint":"comma-separated model numbers or names (e.g. 7960,7940), or * for every model","requiresRestart":false},"noAnswerRequiresUse":{"type":"boolean","title":"Call Back No Answer Requires Use","description":"A request made on a number that did not answer waits until the number is used and hung up (off-hook/on-hook cycle); false: idle for the guard time after the request is enough.","default":true,"requiresRestart":false},"notifyRetryMs":{"type":"integer","title":"Call Back Notification Retry Timer","description":"Wait before pushing a failed notification again (within the recall timer).","default":30000,"minimum":1000,"maximum":3600000,"unit":"ms","requiresRestart":false},"notifyAttempts":{"type":"integer","title":"Call Back Notification Attempts","description":"Pushes of one notification before the request ends as not deliverable.","default":3,"minimum":1,"maximum":20,"unit":"count","requiresRestart":false},"mode":{"type":"string","title":"Call Back Service Mode","description":"serve: the box answers CallBack presses on the phones; observe: it decodes, models and decides as in serve, traces and reports its decisions (log, MQTT status, list-callbacks) but pushes nothing (for a cluster where CallManager or Cisco's Extended Functions serves Call Back itself).","default":"serve","pattern":"^(serve|observe)$","patternHint":"serve or observe","requiresRestart":true}}},"cluster":{"type":"object","description":"Service parameters (cluster).","additionalProperties":false,"properties":{"knowledgeMaxAgeDays":{"type":"integer","title":"Cluster Knowledge Maximum Age","description":"What the box learned about a phone (numbers, softkeys, clock) is dropped when the phone has not been seen for this long.","default":30,"minimum":1,"maximum":3650,"unit":"days","requiresRestart":true},"knowledgeWriteDelayMs":{"type":"integer","title":"Cluster Knowledge Write Delay","description":"Registrations and line changes are written to flash within this time, together (one write for a storm of registrations); a power cut loses at most this much of what was learned.","default":5000,"minimum":0,"maximum":600000,"unit":"ms","requiresRestart":true}}},"redundancy":{"type":"object","description":"Service parameters (redundancy).","additionalProperties":false,"properties":{"enabled":{"type":"boolean","title":"Redundancy Enabled","description":"Join the site's redundancy group over MQTT (mqtt.url): the box first in the ordering is active, the others hot standbys (docs/REDUNDANCY.md).","default":false,"requiresRestart":true},"address":{"type":"string","title":"Redundancy Address","description":"This box's address in the ordering (lowest first); empty: the host of http.publicUrl, else of http.listen, else the first non-internal IPv4.","default":"","pattern":"^$|^[0-9A-Fa-f.:]{2,45}$","patternHint":"an IPv4 or IPv6 address, or empty","requiresRestart":true},"priority":{"type":"integer","title":"Redundancy Priority","description":"Overrides the address ordering: a lower priority comes first; equal priorities are ordered by address.","default":100,"minimum":0,"maximum":255,"requiresRestart":true},"heartbeatMs":{"type":"integer","title":"Redundancy Heartbeat Interval","description":"How often each box refreshes its announcement.","default":1000,"minimum":100,"maximum":60000,"unit":"ms","requiresRestart":true},"staleAfterMs":{"type":"integer","title":"Redundancy Failover Time","description":"A box whose announcement is not refreshed this long counts as gone (its MQTT Will usually says so sooner).","default":3000,"minimum":300,"maximum":600000,"unit":"ms","requiresRestart":true},"settleMs":{"type":"integer","title":"Redundancy Settle Time","description":"After (re)connecting to the broker, wait this long for the other boxes' announcements before taking the active role.","default":1500,"minimum":0,"maximum":60000,"unit":"ms","requiresRestart":true}}}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$", "u");
const pattern1 = new RegExp("^(?!\\.{1,2}$)[^/\\\\\\u0000]{1,255}$", "u");
const pattern2 = new RegExp("^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Za-z.-]+):(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", "u");
const pattern3 = new RegExp("^[a-z]{2}_[A-Z]{2}$", "u");
const pattern4 = new RegExp("^[0-9*#+]{1,24}$", "u");
const pattern6 = new RegExp("^mqtts?://", "u");
const pattern7 = new RegExp("^[a-z0-9][a-z0-9_-]{0,63}$", "u");
const pattern9 = new RegExp("^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$", "u");
const pattern11 = new RegExp("^(\\*|[A-Za-z0-9 +-]+(,[A-Za-z0-9 +-]+)*)$", "u");
const pattern12 = new RegExp("^(serve|observe)$", "u");
const pattern13 = new RegExp("^$|^[0-9A-Fa-f.:]{2,45}$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://callbackd.invalid/config.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.capture === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "capture"},message:"must have required property '"+"capture"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.reassembly === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "reassembly"},message:"must have required property '"+"reassembly"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.log === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "log"},message:"must have required property '"+"log"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.phones === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "phones"},message:"must have required property '"+"phones"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.http === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "http"},message:"must have required property '"+"http"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.locale === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "locale"},message:"must have required property '"+"locale"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.directory === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "directory"},message:"must have required property '"+"directory"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.mqtt === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "mqtt"},message:"must have required property '"+"mqtt"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data.console === undefined){
const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "console"},message:"must have required property '"+"console"+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data.state === undefined){
const err9 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "state"},message:"must have required property '"+"state"+"'"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data.cti === undefined){
const err10 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cti"},message:"must have required property '"+"cti"+"'"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data.service === undefined){
const err11 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "service"},message:"must have required property '"+"service"+"'"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if(data.callback === undefined){
const err12 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "callback"},message:"must have required property '"+"callback"+"'"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data.cluster === undefined){
const err13 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cluster"},message:"must have required property '"+"cluster"+"'"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data.redundancy === undefined){
const err14 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "redundancy"},message:"must have required property '"+"redundancy"+"'"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err15 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.capture !== undefined){
let data0 = data.capture;
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
for(const key1 in data0){
if(!((((((((key1 === "interface") || (key1 === "file")) || (key1 === "sccpPorts")) || (key1 === "qbePorts")) || (key1 === "filter")) || (key1 === "bufferSizeBytes")) || (key1 === "snapLength")) || (key1 === "promiscuous"))){
const err16 = {instancePath:instancePath+"/capture",schemaPath:"#/properties/capture/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data0.interface !== undefined){
let data1 = data0.interface;
if((typeof data1 !== "string") && (data1 !== null)){
const err17 = {instancePath:instancePath+"/capture/interface",schemaPath:"#/properties/capture/properties/interface/type",keyword:"type",params:{type: schema11.properties.capture.properties.interface.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(typeof data1 === "string"){
if(func3(data1) > 256){
const err18 = {instancePath:instancePath+"/capture/interface",schemaPath:"#/properties/capture/properties/interface/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
if(func3(data1) < 1){
const err19 = {instancePath:instancePath+"/capture/interface",schemaPath:"#/properties/capture/properties/interface/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
}
if(data0.file !== undefined){
let data2 = data0.file;
if((typeof data2 !== "string") && (data2 !== null)){
const err20 = {instancePath:instancePath+"/capture/file",schemaPath:"#/properties/capture/properties/file/type",keyword:"type",params:{type: schema11.properties.capture.properties.file.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if(typeof data2 === "string"){
if(func3(data2) > 4096){
const err21 = {instancePath:instancePath+"/capture/file",schemaPath:"#/properties/capture/properties/file/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(func3(data2) < 1){
const err22 = {instancePath:instancePath+"/capture/file",schemaPath:"#/properties/capture/properties/file/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
if(data0.sccpPorts !== undefined){
let data3 = data0.sccpPorts;
if(Array.isArray(data3)){
if(data3.length > 16){
const err23 = {instancePath:instancePath+"/capture/sccpPorts",schemaPath:"#/properties/capture/properties/sccpPorts/maxItems",keyword:"maxItems",params:{limit: 16},message:"must NOT have more than 16 items"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(data3.length < 1){
const err24 = {instancePath:instancePath+"/capture/sccpPorts",schemaPath:"#/properties/capture/properties/sccpPorts/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
const err25 = {instancePath:instancePath+"/capture/sccpPorts/" + i0,schemaPath:"#/properties/capture/properties/sccpPorts/items/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 > 65535 || isNaN(data4)){
const err26 = {instancePath:instancePath+"/capture/sccpPorts/" + i0,schemaPath:"#/properties/capture/properties/sccpPorts/items/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(data4 < 1 || isNaN(data4)){
const err27 = {instancePath:instancePath+"/capture/sccpPorts/" + i0,schemaPath:"#/properties/capture/properties/sccpPorts/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
}
let i1 = data3.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data3[i1];
if(!(((typeof item0 == "number") && (!(item0 % 1) && !isNaN(item0))) && (isFinite(item0)))){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err28 = {instancePath:instancePath+"/capture/sccpPorts",schemaPath:"#/properties/capture/properties/sccpPorts/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err29 = {instancePath:instancePath+"/capture/sccpPorts",schemaPath:"#/properties/capture/properties/sccpPorts/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data0.qbePorts !== undefined){
let data5 = data0.qbePorts;
if((!(Array.isArray(data5))) && (data5 !== null)){
const err30 = {instancePath:instancePath+"/capture/qbePorts",schemaPath:"#/properties/capture/properties/qbePorts/type",keyword:"type",params:{type: schema11.properties.capture.properties.qbePorts.type},message:"must be array,null"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
if(Array.isArray(data5)){
if(data5.length > 16){
const err31 = {instancePath:instancePath+"/capture/qbePorts",schemaPath:"#/properties/capture/properties/qbePorts/maxItems",keyword:"maxItems",params:{limit: 16},message:"must NOT have more than 16 items"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
const len1 = data5.length;
for(let i2=0; i2<len1; i2++){
let data6 = data5[i2];
if(!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))){
const err32 = {instancePath:instancePath+"/capture/qbePorts/" + i2,schemaPath:"#/properties/capture/properties/qbePorts/items/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if((typeof data6 == "number") && (isFinite(data6))){
if(data6 > 65535 || isNaN(data6)){
const err33 = {instancePath:instancePath+"/capture/qbePorts/" + i2,schemaPath:"#/properties/capture/properties/qbePorts/items/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
if(data6 < 1 || isNaN(data6)){
const err34 = {instancePath:instancePath+"/capture/qbePorts/" + i2,schemaPath:"#/properties/capture/properties/qbePorts/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
}
let i3 = data5.length;
let j1;
if(i3 > 1){
const indices1 = {};
for(;i3--;){
let item1 = data5[i3];
if(!(((typeof item1 == "number") && (!(item1 % 1) && !isNaN(item1))) && (isFinite(item1)))){
continue;
}
if(typeof indices1[item1] == "number"){
j1 = indices1[item1];
const err35 = {instancePath:instancePath+"/capture/qbePorts",schemaPath:"#/properties/capture/properties/qbePorts/uniqueItems",keyword:"uniqueItems",params:{i: i3, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i3+" are identical)"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
break;
}
indices1[item1] = i3;
}
}
}
}
if(data0.filter !== undefined){
let data7 = data0.filter;
if((typeof data7 !== "string") && (data7 !== null)){
const err36 = {instancePath:instancePath+"/capture/filter",schemaPath:"#/properties/capture/properties/filter/type",keyword:"type",params:{type: schema11.properties.capture.properties.filter.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
if(typeof data7 === "string"){
if(func3(data7) > 1024){
const err37 = {instancePath:instancePath+"/capture/filter",schemaPath:"#/properties/capture/properties/filter/maxLength",keyword:"maxLength",params:{limit: 1024},message:"must NOT have more than 1024 characters"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(func3(data7) < 1){
const err38 = {instancePath:instancePath+"/capture/filter",schemaPath:"#/properties/capture/properties/filter/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
}
if(data0.bufferSizeBytes !== undefined){
let data8 = data0.bufferSizeBytes;
if(!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))){
const err39 = {instancePath:instancePath+"/capture/bufferSizeBytes",schemaPath:"#/properties/capture/properties/bufferSizeBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if((typeof data8 == "number") && (isFinite(data8))){
if(data8 > 1073741824 || isNaN(data8)){
const err40 = {instancePath:instancePath+"/capture/bufferSizeBytes",schemaPath:"#/properties/capture/properties/bufferSizeBytes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1073741824},message:"must be <= 1073741824"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if(data8 < 65536 || isNaN(data8)){
const err41 = {instancePath:instancePath+"/capture/bufferSizeBytes",schemaPath:"#/properties/capture/properties/bufferSizeBytes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 65536},message:"must be >= 65536"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
if(data0.snapLength !== undefined){
let data9 = data0.snapLength;
if(!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))){
const err42 = {instancePath:instancePath+"/capture/snapLength",schemaPath:"#/properties/capture/properties/snapLength/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
if((typeof data9 == "number") && (isFinite(data9))){
if(data9 > 262144 || isNaN(data9)){
const err43 = {instancePath:instancePath+"/capture/snapLength",schemaPath:"#/properties/capture/properties/snapLength/maximum",keyword:"maximum",params:{comparison: "<=", limit: 262144},message:"must be <= 262144"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
if(data9 < 64 || isNaN(data9)){
const err44 = {instancePath:instancePath+"/capture/snapLength",schemaPath:"#/properties/capture/properties/snapLength/minimum",keyword:"minimum",params:{comparison: ">=", limit: 64},message:"must be >= 64"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
if(data0.promiscuous !== undefined){
if(typeof data0.promiscuous !== "boolean"){
const err45 = {instancePath:instancePath+"/capture/promiscuous",schemaPath:"#/properties/capture/properties/promiscuous/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
}
else {
const err46 = {instancePath:instancePath+"/capture",schemaPath:"#/properties/capture/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data.reassembly !== undefined){
let data11 = data.reassembly;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
for(const key2 in data11){
if(!((((((key2 === "maxConnections") || (key2 === "maxOutOfOrderBytesPerDirection")) || (key2 === "maxOutOfOrderSegmentsPerDirection")) || (key2 === "gapTimeoutMs")) || (key2 === "idleTimeoutS")) || (key2 === "memoryCapBytes"))){
const err47 = {instancePath:instancePath+"/reassembly",schemaPath:"#/properties/reassembly/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
if(data11.maxConnections !== undefined){
let data12 = data11.maxConnections;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err48 = {instancePath:instancePath+"/reassembly/maxConnections",schemaPath:"#/properties/reassembly/properties/maxConnections/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 > 1048576 || isNaN(data12)){
const err49 = {instancePath:instancePath+"/reassembly/maxConnections",schemaPath:"#/properties/reassembly/properties/maxConnections/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1048576},message:"must be <= 1048576"};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
if(data12 < 1 || isNaN(data12)){
const err50 = {instancePath:instancePath+"/reassembly/maxConnections",schemaPath:"#/properties/reassembly/properties/maxConnections/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
}
if(data11.maxOutOfOrderBytesPerDirection !== undefined){
let data13 = data11.maxOutOfOrderBytesPerDirection;
if(!(((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13))) && (isFinite(data13)))){
const err51 = {instancePath:instancePath+"/reassembly/maxOutOfOrderBytesPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderBytesPerDirection/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
if((typeof data13 == "number") && (isFinite(data13))){
if(data13 > 16777216 || isNaN(data13)){
const err52 = {instancePath:instancePath+"/reassembly/maxOutOfOrderBytesPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderBytesPerDirection/maximum",keyword:"maximum",params:{comparison: "<=", limit: 16777216},message:"must be <= 16777216"};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
if(data13 < 0 || isNaN(data13)){
const err53 = {instancePath:instancePath+"/reassembly/maxOutOfOrderBytesPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderBytesPerDirection/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
}
if(data11.maxOutOfOrderSegmentsPerDirection !== undefined){
let data14 = data11.maxOutOfOrderSegmentsPerDirection;
if(!(((typeof data14 == "number") && (!(data14 % 1) && !isNaN(data14))) && (isFinite(data14)))){
const err54 = {instancePath:instancePath+"/reassembly/maxOutOfOrderSegmentsPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderSegmentsPerDirection/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
if((typeof data14 == "number") && (isFinite(data14))){
if(data14 > 65536 || isNaN(data14)){
const err55 = {instancePath:instancePath+"/reassembly/maxOutOfOrderSegmentsPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderSegmentsPerDirection/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65536},message:"must be <= 65536"};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
if(data14 < 0 || isNaN(data14)){
const err56 = {instancePath:instancePath+"/reassembly/maxOutOfOrderSegmentsPerDirection",schemaPath:"#/properties/reassembly/properties/maxOutOfOrderSegmentsPerDirection/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
}
if(data11.gapTimeoutMs !== undefined){
let data15 = data11.gapTimeoutMs;
if(!(((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15))) && (isFinite(data15)))){
const err57 = {instancePath:instancePath+"/reassembly/gapTimeoutMs",schemaPath:"#/properties/reassembly/properties/gapTimeoutMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
if((typeof data15 == "number") && (isFinite(data15))){
if(data15 > 600000 || isNaN(data15)){
const err58 = {instancePath:instancePath+"/reassembly/gapTimeoutMs",schemaPath:"#/properties/reassembly/properties/gapTimeoutMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
if(data15 < 0 || isNaN(data15)){
const err59 = {instancePath:instancePath+"/reassembly/gapTimeoutMs",schemaPath:"#/properties/reassembly/properties/gapTimeoutMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
}
if(data11.idleTimeoutS !== undefined){
let data16 = data11.idleTimeoutS;
if(!(((typeof data16 == "number") && (!(data16 % 1) && !isNaN(data16))) && (isFinite(data16)))){
const err60 = {instancePath:instancePath+"/reassembly/idleTimeoutS",schemaPath:"#/properties/reassembly/properties/idleTimeoutS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if((typeof data16 == "number") && (isFinite(data16))){
if(data16 > 86400 || isNaN(data16)){
const err61 = {instancePath:instancePath+"/reassembly/idleTimeoutS",schemaPath:"#/properties/reassembly/properties/idleTimeoutS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400},message:"must be <= 86400"};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
if(data16 < 1 || isNaN(data16)){
const err62 = {instancePath:instancePath+"/reassembly/idleTimeoutS",schemaPath:"#/properties/reassembly/properties/idleTimeoutS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
}
if(data11.memoryCapBytes !== undefined){
let data17 = data11.memoryCapBytes;
if(!(((typeof data17 == "number") && (!(data17 % 1) && !isNaN(data17))) && (isFinite(data17)))){
const err63 = {instancePath:instancePath+"/reassembly/memoryCapBytes",schemaPath:"#/properties/reassembly/properties/memoryCapBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
if((typeof data17 == "number") && (isFinite(data17))){
if(data17 > 2147483648 || isNaN(data17)){
const err64 = {instancePath:instancePath+"/reassembly/memoryCapBytes",schemaPath:"#/properties/reassembly/properties/memoryCapBytes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2147483648},message:"must be <= 2147483648"};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
if(data17 < 1048576 || isNaN(data17)){
const err65 = {instancePath:instancePath+"/reassembly/memoryCapBytes",schemaPath:"#/properties/reassembly/properties/memoryCapBytes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1048576},message:"must be >= 1048576"};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
}
}
else {
const err66 = {instancePath:instancePath+"/reassembly",schemaPath:"#/properties/reassembly/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
if(data.log !== undefined){
let data18 = data.log;
if(data18 && typeof data18 == "object" && !Array.isArray(data18)){
for(const key3 in data18){
if(!(((key3 === "level") || (key3 === "modules")) || (key3 === "pretty"))){
const err67 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
if(data18.level !== undefined){
let data19 = data18.level;
if(typeof data19 !== "string"){
const err68 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
if(!(((((((data19 === "fatal") || (data19 === "error")) || (data19 === "warn")) || (data19 === "info")) || (data19 === "debug")) || (data19 === "trace")) || (data19 === "silent"))){
const err69 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/enum",keyword:"enum",params:{allowedValues: schema11.properties.log.properties.level.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
if(data18.modules !== undefined){
let data20 = data18.modules;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
for(const key4 in data20){
const _errs71 = errors;
if(typeof key4 === "string"){
if(!pattern0.test(key4)){
const err70 = {instancePath:instancePath+"/log/modules",schemaPath:"#/properties/log/properties/modules/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"},message:"must match pattern \""+"^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"+"\"",propertyName:key4};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
var valid10 = _errs71 === errors;
if(!valid10){
const err71 = {instancePath:instancePath+"/log/modules",schemaPath:"#/properties/log/properties/modules/propertyNames",keyword:"propertyNames",params:{propertyName: key4},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
}
for(const key5 in data20){
let data21 = data20[key5];
if(typeof data21 !== "string"){
const err72 = {instancePath:instancePath+"/log/modules/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/log/properties/modules/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
if(!(((((((data21 === "fatal") || (data21 === "error")) || (data21 === "warn")) || (data21 === "info")) || (data21 === "debug")) || (data21 === "trace")) || (data21 === "silent"))){
const err73 = {instancePath:instancePath+"/log/modules/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/log/properties/modules/additionalProperties/enum",keyword:"enum",params:{allowedValues: schema11.properties.log.properties.modules.additionalProperties.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
}
else {
const err74 = {instancePath:instancePath+"/log/modules",schemaPath:"#/properties/log/properties/modules/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
}
if(data18.pretty !== undefined){
if(typeof data18.pretty !== "boolean"){
const err75 = {instancePath:instancePath+"/log/pretty",schemaPath:"#/properties/log/properties/pretty/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
}
}
else {
const err76 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
if(data.phones !== undefined){
let data23 = data.phones;
if(data23 && typeof data23 == "object" && !Array.isArray(data23)){
for(const key6 in data23){
if(!((((key6 === "pushUrl") || (key6 === "pushUser")) || (key6 === "pushPassword")) || (key6 === "audioFileName"))){
const err77 = {instancePath:instancePath+"/phones",schemaPath:"#/properties/phones/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
}
if(data23.pushUrl !== undefined){
let data24 = data23.pushUrl;
if(typeof data24 === "string"){
if(func3(data24) > 512){
const err78 = {instancePath:instancePath+"/phones/pushUrl",schemaPath:"#/properties/phones/properties/pushUrl/maxLength",keyword:"maxLength",params:{limit: 512},message:"must NOT have more than 512 characters"};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
if(func3(data24) < 1){
const err79 = {instancePath:instancePath+"/phones/pushUrl",schemaPath:"#/properties/phones/properties/pushUrl/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
else {
const err80 = {instancePath:instancePath+"/phones/pushUrl",schemaPath:"#/properties/phones/properties/pushUrl/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
}
if(data23.pushUser !== undefined){
let data25 = data23.pushUser;
if((typeof data25 !== "string") && (data25 !== null)){
const err81 = {instancePath:instancePath+"/phones/pushUser",schemaPath:"#/properties/phones/properties/pushUser/type",keyword:"type",params:{type: schema11.properties.phones.properties.pushUser.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
if(typeof data25 === "string"){
if(func3(data25) > 128){
const err82 = {instancePath:instancePath+"/phones/pushUser",schemaPath:"#/properties/phones/properties/pushUser/maxLength",keyword:"maxLength",params:{limit: 128},message:"must NOT have more than 128 characters"};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
if(func3(data25) < 1){
const err83 = {instancePath:instancePath+"/phones/pushUser",schemaPath:"#/properties/phones/properties/pushUser/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
}
if(data23.pushPassword !== undefined){
let data26 = data23.pushPassword;
if((typeof data26 !== "string") && (data26 !== null)){
const err84 = {instancePath:instancePath+"/phones/pushPassword",schemaPath:"#/properties/phones/properties/pushPassword/type",keyword:"type",params:{type: schema11.properties.phones.properties.pushPassword.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
if(typeof data26 === "string"){
if(func3(data26) > 128){
const err85 = {instancePath:instancePath+"/phones/pushPassword",schemaPath:"#/properties/phones/properties/pushPassword/maxLength",keyword:"maxLength",params:{limit: 128},message:"must NOT have more than 128 characters"};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
if(func3(data26) < 1){
const err86 = {instancePath:instancePath+"/phones/pushPassword",schemaPath:"#/properties/phones/properties/pushPassword/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
}
}
if(data23.audioFileName !== undefined){
let data27 = data23.audioFileName;
if(typeof data27 === "string"){
if(!pattern1.test(data27)){
const err87 = {instancePath:instancePath+"/phones/audioFileName",schemaPath:"#/properties/phones/properties/audioFileName/pattern",keyword:"pattern",params:{pattern: "^(?!\\.{1,2}$)[^/\\\\\\u0000]{1,255}$"},message:"must match pattern \""+"^(?!\\.{1,2}$)[^/\\\\\\u0000]{1,255}$"+"\""};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
}
else {
const err88 = {instancePath:instancePath+"/phones/audioFileName",schemaPath:"#/properties/phones/properties/audioFileName/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
}
}
else {
const err89 = {instancePath:instancePath+"/phones",schemaPath:"#/properties/phones/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
}
if(data.http !== undefined){
let data28 = data.http;
if(data28 && typeof data28 == "object" && !Array.isArray(data28)){
for(const key7 in data28){
if(!((key7 === "listen") || (key7 === "publicUrl"))){
const err90 = {instancePath:instancePath+"/http",schemaPath:"#/properties/http/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
}
if(data28.listen !== undefined){
let data29 = data28.listen;
if(typeof data29 === "string"){
if(!pattern2.test(data29)){
const err91 = {instancePath:instancePath+"/http/listen",schemaPath:"#/properties/http/properties/listen/pattern",keyword:"pattern",params:{pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Za-z.-]+):(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"},message:"must match pattern \""+"^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Za-z.-]+):(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"+"\""};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
}
else {
const err92 = {instancePath:instancePath+"/http/listen",schemaPath:"#/properties/http/properties/listen/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
}
if(data28.publicUrl !== undefined){
let data30 = data28.publicUrl;
if((typeof data30 !== "string") && (data30 !== null)){
const err93 = {instancePath:instancePath+"/http/publicUrl",schemaPath:"#/properties/http/properties/publicUrl/type",keyword:"type",params:{type: schema11.properties.http.properties.publicUrl.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
if(typeof data30 === "string"){
if(func3(data30) > 512){
const err94 = {instancePath:instancePath+"/http/publicUrl",schemaPath:"#/properties/http/properties/publicUrl/maxLength",keyword:"maxLength",params:{limit: 512},message:"must NOT have more than 512 characters"};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
if(func3(data30) < 1){
const err95 = {instancePath:instancePath+"/http/publicUrl",schemaPath:"#/properties/http/properties/publicUrl/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
}
}
}
else {
const err96 = {instancePath:instancePath+"/http",schemaPath:"#/properties/http/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
}
if(data.locale !== undefined){
let data31 = data.locale;
if(data31 && typeof data31 == "object" && !Array.isArray(data31)){
for(const key8 in data31){
if(!(key8 === "default")){
const err97 = {instancePath:instancePath+"/locale",schemaPath:"#/properties/locale/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key8},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
}
if(data31.default !== undefined){
let data32 = data31.default;
if(typeof data32 === "string"){
if(!pattern3.test(data32)){
const err98 = {instancePath:instancePath+"/locale/default",schemaPath:"#/properties/locale/properties/default/pattern",keyword:"pattern",params:{pattern: "^[a-z]{2}_[A-Z]{2}$"},message:"must match pattern \""+"^[a-z]{2}_[A-Z]{2}$"+"\""};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
}
else {
const err99 = {instancePath:instancePath+"/locale/default",schemaPath:"#/properties/locale/properties/default/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
}
}
else {
const err100 = {instancePath:instancePath+"/locale",schemaPath:"#/properties/locale/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
}
if(data.directory !== undefined){
let data33 = data.directory;
if(Array.isArray(data33)){
if(data33.length > 100000){
const err101 = {instancePath:instancePath+"/directory",schemaPath:"#/properties/directory/maxItems",keyword:"maxItems",params:{limit: 100000},message:"must NOT have more than 100000 items"};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
const len2 = data33.length;
for(let i4=0; i4<len2; i4++){
let data34 = data33[i4];
if(data34 && typeof data34 == "object" && !Array.isArray(data34)){
if(data34.dn === undefined){
const err102 = {instancePath:instancePath+"/directory/" + i4,schemaPath:"#/properties/directory/items/required",keyword:"required",params:{missingProperty: "dn"},message:"must have required property '"+"dn"+"'"};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
if(data34.deviceName === undefined){
const err103 = {instancePath:instancePath+"/directory/" + i4,schemaPath:"#/properties/directory/items/required",keyword:"required",params:{missingProperty: "deviceName"},message:"must have required property '"+"deviceName"+"'"};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
for(const key9 in data34){
if(!(((((key9 === "dn") || (key9 === "deviceName")) || (key9 === "model")) || (key9 === "pushAddress")) || (key9 === "locale"))){
const err104 = {instancePath:instancePath+"/directory/" + i4,schemaPath:"#/properties/directory/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key9},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
}
if(data34.dn !== undefined){
let data35 = data34.dn;
if(typeof data35 === "string"){
if(!pattern4.test(data35)){
const err105 = {instancePath:instancePath+"/directory/" + i4+"/dn",schemaPath:"#/properties/directory/items/properties/dn/pattern",keyword:"pattern",params:{pattern: "^[0-9*#+]{1,24}$"},message:"must match pattern \""+"^[0-9*#+]{1,24}$"+"\""};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
else {
const err106 = {instancePath:instancePath+"/directory/" + i4+"/dn",schemaPath:"#/properties/directory/items/properties/dn/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
}
if(data34.deviceName !== undefined){
let data36 = data34.deviceName;
if(typeof data36 === "string"){
if(func3(data36) > 15){
const err107 = {instancePath:instancePath+"/directory/" + i4+"/deviceName",schemaPath:"#/properties/directory/items/properties/deviceName/maxLength",keyword:"maxLength",params:{limit: 15},message:"must NOT have more than 15 characters"};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
if(func3(data36) < 1){
const err108 = {instancePath:instancePath+"/directory/" + i4+"/deviceName",schemaPath:"#/properties/directory/items/properties/deviceName/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
}
else {
const err109 = {instancePath:instancePath+"/directory/" + i4+"/deviceName",schemaPath:"#/properties/directory/items/properties/deviceName/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
}
if(data34.model !== undefined){
let data37 = data34.model;
if(typeof data37 === "string"){
if(func3(data37) > 64){
const err110 = {instancePath:instancePath+"/directory/" + i4+"/model",schemaPath:"#/properties/directory/items/properties/model/maxLength",keyword:"maxLength",params:{limit: 64},message:"must NOT have more than 64 characters"};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
}
else {
const err111 = {instancePath:instancePath+"/directory/" + i4+"/model",schemaPath:"#/properties/directory/items/properties/model/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
}
if(data34.pushAddress !== undefined){
let data38 = data34.pushAddress;
if(typeof data38 === "string"){
if(func3(data38) > 255){
const err112 = {instancePath:instancePath+"/directory/" + i4+"/pushAddress",schemaPath:"#/properties/directory/items/properties/pushAddress/maxLength",keyword:"maxLength",params:{limit: 255},message:"must NOT have more than 255 characters"};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
}
else {
const err113 = {instancePath:instancePath+"/directory/" + i4+"/pushAddress",schemaPath:"#/properties/directory/items/properties/pushAddress/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
}
if(data34.locale !== undefined){
let data39 = data34.locale;
if(typeof data39 === "string"){
if(!pattern3.test(data39)){
const err114 = {instancePath:instancePath+"/directory/" + i4+"/locale",schemaPath:"#/properties/directory/items/properties/locale/pattern",keyword:"pattern",params:{pattern: "^[a-z]{2}_[A-Z]{2}$"},message:"must match pattern \""+"^[a-z]{2}_[A-Z]{2}$"+"\""};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
}
else {
const err115 = {instancePath:instancePath+"/directory/" + i4+"/locale",schemaPath:"#/properties/directory/items/properties/locale/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
}
}
else {
const err116 = {instancePath:instancePath+"/directory/" + i4,schemaPath:"#/properties/directory/items/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
}
}
else {
const err117 = {instancePath:instancePath+"/directory",schemaPath:"#/properties/directory/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
}
if(data.mqtt !== undefined){
let data40 = data.mqtt;
if(data40 && typeof data40 == "object" && !Array.isArray(data40)){
for(const key10 in data40){
if(!(func2.call(schema11.properties.mqtt.properties, key10))){
const err118 = {instancePath:instancePath+"/mqtt",schemaPath:"#/properties/mqtt/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key10},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
}
if(data40.url !== undefined){
let data41 = data40.url;
if((typeof data41 !== "string") && (data41 !== null)){
const err119 = {instancePath:instancePath+"/mqtt/url",schemaPath:"#/properties/mqtt/properties/url/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.url.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
if(typeof data41 === "string"){
if(func3(data41) > 1024){
const err120 = {instancePath:instancePath+"/mqtt/url",schemaPath:"#/properties/mqtt/properties/url/maxLength",keyword:"maxLength",params:{limit: 1024},message:"must NOT have more than 1024 characters"};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
if(func3(data41) < 1){
const err121 = {instancePath:instancePath+"/mqtt/url",schemaPath:"#/properties/mqtt/properties/url/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
if(!pattern6.test(data41)){
const err122 = {instancePath:instancePath+"/mqtt/url",schemaPath:"#/properties/mqtt/properties/url/pattern",keyword:"pattern",params:{pattern: "^mqtts?://"},message:"must match pattern \""+"^mqtts?://"+"\""};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
}
}
if(data40.site !== undefined){
let data42 = data40.site;
if(typeof data42 === "string"){
if(!pattern7.test(data42)){
const err123 = {instancePath:instancePath+"/mqtt/site",schemaPath:"#/properties/mqtt/properties/site/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9][a-z0-9_-]{0,63}$"},message:"must match pattern \""+"^[a-z0-9][a-z0-9_-]{0,63}$"+"\""};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
}
else {
const err124 = {instancePath:instancePath+"/mqtt/site",schemaPath:"#/properties/mqtt/properties/site/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
}
if(data40.node !== undefined){
let data43 = data40.node;
if(typeof data43 === "string"){
if(!pattern7.test(data43)){
const err125 = {instancePath:instancePath+"/mqtt/node",schemaPath:"#/properties/mqtt/properties/node/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9][a-z0-9_-]{0,63}$"},message:"must match pattern \""+"^[a-z0-9][a-z0-9_-]{0,63}$"+"\""};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
}
else {
const err126 = {instancePath:instancePath+"/mqtt/node",schemaPath:"#/properties/mqtt/properties/node/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
}
if(data40.username !== undefined){
let data44 = data40.username;
if((typeof data44 !== "string") && (data44 !== null)){
const err127 = {instancePath:instancePath+"/mqtt/username",schemaPath:"#/properties/mqtt/properties/username/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.username.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
if(typeof data44 === "string"){
if(func3(data44) > 256){
const err128 = {instancePath:instancePath+"/mqtt/username",schemaPath:"#/properties/mqtt/properties/username/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters"};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
if(func3(data44) < 1){
const err129 = {instancePath:instancePath+"/mqtt/username",schemaPath:"#/properties/mqtt/properties/username/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
}
}
if(data40.password !== undefined){
let data45 = data40.password;
if((typeof data45 !== "string") && (data45 !== null)){
const err130 = {instancePath:instancePath+"/mqtt/password",schemaPath:"#/properties/mqtt/properties/password/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.password.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
if(typeof data45 === "string"){
if(func3(data45) > 256){
const err131 = {instancePath:instancePath+"/mqtt/password",schemaPath:"#/properties/mqtt/properties/password/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters"};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
if(func3(data45) < 1){
const err132 = {instancePath:instancePath+"/mqtt/password",schemaPath:"#/properties/mqtt/properties/password/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
}
}
if(data40.caFile !== undefined){
let data46 = data40.caFile;
if((typeof data46 !== "string") && (data46 !== null)){
const err133 = {instancePath:instancePath+"/mqtt/caFile",schemaPath:"#/properties/mqtt/properties/caFile/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.caFile.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
if(typeof data46 === "string"){
if(func3(data46) > 4096){
const err134 = {instancePath:instancePath+"/mqtt/caFile",schemaPath:"#/properties/mqtt/properties/caFile/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
if(func3(data46) < 1){
const err135 = {instancePath:instancePath+"/mqtt/caFile",schemaPath:"#/properties/mqtt/properties/caFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
}
}
if(data40.certFile !== undefined){
let data47 = data40.certFile;
if((typeof data47 !== "string") && (data47 !== null)){
const err136 = {instancePath:instancePath+"/mqtt/certFile",schemaPath:"#/properties/mqtt/properties/certFile/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.certFile.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
if(typeof data47 === "string"){
if(func3(data47) > 4096){
const err137 = {instancePath:instancePath+"/mqtt/certFile",schemaPath:"#/properties/mqtt/properties/certFile/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
if(func3(data47) < 1){
const err138 = {instancePath:instancePath+"/mqtt/certFile",schemaPath:"#/properties/mqtt/properties/certFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
}
}
if(data40.keyFile !== undefined){
let data48 = data40.keyFile;
if((typeof data48 !== "string") && (data48 !== null)){
const err139 = {instancePath:instancePath+"/mqtt/keyFile",schemaPath:"#/properties/mqtt/properties/keyFile/type",keyword:"type",params:{type: schema11.properties.mqtt.properties.keyFile.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
if(typeof data48 === "string"){
if(func3(data48) > 4096){
const err140 = {instancePath:instancePath+"/mqtt/keyFile",schemaPath:"#/properties/mqtt/properties/keyFile/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
if(func3(data48) < 1){
const err141 = {instancePath:instancePath+"/mqtt/keyFile",schemaPath:"#/properties/mqtt/properties/keyFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
}
}
if(data40.protocolVersion !== undefined){
let data49 = data40.protocolVersion;
if(!(((typeof data49 == "number") && (!(data49 % 1) && !isNaN(data49))) && (isFinite(data49)))){
const err142 = {instancePath:instancePath+"/mqtt/protocolVersion",schemaPath:"#/properties/mqtt/properties/protocolVersion/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
if(!((data49 === 4) || (data49 === 5))){
const err143 = {instancePath:instancePath+"/mqtt/protocolVersion",schemaPath:"#/properties/mqtt/properties/protocolVersion/enum",keyword:"enum",params:{allowedValues: schema11.properties.mqtt.properties.protocolVersion.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
}
if(data40.readOnly !== undefined){
if(typeof data40.readOnly !== "boolean"){
const err144 = {instancePath:instancePath+"/mqtt/readOnly",schemaPath:"#/properties/mqtt/properties/readOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
}
if(data40.telemetryIntervalS !== undefined){
let data51 = data40.telemetryIntervalS;
if(!(((typeof data51 == "number") && (!(data51 % 1) && !isNaN(data51))) && (isFinite(data51)))){
const err145 = {instancePath:instancePath+"/mqtt/telemetryIntervalS",schemaPath:"#/properties/mqtt/properties/telemetryIntervalS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
if((typeof data51 == "number") && (isFinite(data51))){
if(data51 > 86400 || isNaN(data51)){
const err146 = {instancePath:instancePath+"/mqtt/telemetryIntervalS",schemaPath:"#/properties/mqtt/properties/telemetryIntervalS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400},message:"must be <= 86400"};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
if(data51 < 0 || isNaN(data51)){
const err147 = {instancePath:instancePath+"/mqtt/telemetryIntervalS",schemaPath:"#/properties/mqtt/properties/telemetryIntervalS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
}
}
if(data40.encoding !== undefined){
let data52 = data40.encoding;
if(typeof data52 !== "string"){
const err148 = {instancePath:instancePath+"/mqtt/encoding",schemaPath:"#/properties/mqtt/properties/encoding/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
if(!((data52 === "json") || (data52 === "protobuf"))){
const err149 = {instancePath:instancePath+"/mqtt/encoding",schemaPath:"#/properties/mqtt/properties/encoding/enum",keyword:"enum",params:{allowedValues: schema11.properties.mqtt.properties.encoding.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
}
if(data40.willDelayS !== undefined){
let data53 = data40.willDelayS;
if(!(((typeof data53 == "number") && (!(data53 % 1) && !isNaN(data53))) && (isFinite(data53)))){
const err150 = {instancePath:instancePath+"/mqtt/willDelayS",schemaPath:"#/properties/mqtt/properties/willDelayS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err150];
}
else {
vErrors.push(err150);
}
errors++;
}
if((typeof data53 == "number") && (isFinite(data53))){
if(data53 > 3600 || isNaN(data53)){
const err151 = {instancePath:instancePath+"/mqtt/willDelayS",schemaPath:"#/properties/mqtt/properties/willDelayS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600"};
if(vErrors === null){
vErrors = [err151];
}
else {
vErrors.push(err151);
}
errors++;
}
if(data53 < 0 || isNaN(data53)){
const err152 = {instancePath:instancePath+"/mqtt/willDelayS",schemaPath:"#/properties/mqtt/properties/willDelayS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err152];
}
else {
vErrors.push(err152);
}
errors++;
}
}
}
}
else {
const err153 = {instancePath:instancePath+"/mqtt",schemaPath:"#/properties/mqtt/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err153];
}
else {
vErrors.push(err153);
}
errors++;
}
}
if(data.console !== undefined){
let data54 = data.console;
if(data54 && typeof data54 == "object" && !Array.isArray(data54)){
for(const key11 in data54){
if(!((((((((key11 === "device") || (key11 === "baudRate")) || (key11 === "passwordHash")) || (key11 === "enablePasswordHash")) || (key11 === "tcpEnabled")) || (key11 === "idleTimeoutS")) || (key11 === "maxFailures")) || (key11 === "lockoutS"))){
const err154 = {instancePath:instancePath+"/console",schemaPath:"#/properties/console/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key11},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err154];
}
else {
vErrors.push(err154);
}
errors++;
}
}
if(data54.device !== undefined){
let data55 = data54.device;
if((typeof data55 !== "string") && (data55 !== null)){
const err155 = {instancePath:instancePath+"/console/device",schemaPath:"#/properties/console/properties/device/type",keyword:"type",params:{type: schema11.properties.console.properties.device.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err155];
}
else {
vErrors.push(err155);
}
errors++;
}
if(typeof data55 === "string"){
if(func3(data55) > 4096){
const err156 = {instancePath:instancePath+"/console/device",schemaPath:"#/properties/console/properties/device/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err156];
}
else {
vErrors.push(err156);
}
errors++;
}
if(func3(data55) < 1){
const err157 = {instancePath:instancePath+"/console/device",schemaPath:"#/properties/console/properties/device/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err157];
}
else {
vErrors.push(err157);
}
errors++;
}
}
}
if(data54.baudRate !== undefined){
let data56 = data54.baudRate;
if(!(((typeof data56 == "number") && (!(data56 % 1) && !isNaN(data56))) && (isFinite(data56)))){
const err158 = {instancePath:instancePath+"/console/baudRate",schemaPath:"#/properties/console/properties/baudRate/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err158];
}
else {
vErrors.push(err158);
}
errors++;
}
if(!((((((data56 === 9600) || (data56 === 19200)) || (data56 === 38400)) || (data56 === 57600)) || (data56 === 115200)) || (data56 === 230400))){
const err159 = {instancePath:instancePath+"/console/baudRate",schemaPath:"#/properties/console/properties/baudRate/enum",keyword:"enum",params:{allowedValues: schema11.properties.console.properties.baudRate.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err159];
}
else {
vErrors.push(err159);
}
errors++;
}
}
if(data54.passwordHash !== undefined){
let data57 = data54.passwordHash;
if((typeof data57 !== "string") && (data57 !== null)){
const err160 = {instancePath:instancePath+"/console/passwordHash",schemaPath:"#/properties/console/properties/passwordHash/type",keyword:"type",params:{type: schema11.properties.console.properties.passwordHash.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err160];
}
else {
vErrors.push(err160);
}
errors++;
}
if(typeof data57 === "string"){
if(!pattern9.test(data57)){
const err161 = {instancePath:instancePath+"/console/passwordHash",schemaPath:"#/properties/console/properties/passwordHash/pattern",keyword:"pattern",params:{pattern: "^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$"},message:"must match pattern \""+"^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$"+"\""};
if(vErrors === null){
vErrors = [err161];
}
else {
vErrors.push(err161);
}
errors++;
}
}
}
if(data54.enablePasswordHash !== undefined){
let data58 = data54.enablePasswordHash;
if((typeof data58 !== "string") && (data58 !== null)){
const err162 = {instancePath:instancePath+"/console/enablePasswordHash",schemaPath:"#/properties/console/properties/enablePasswordHash/type",keyword:"type",params:{type: schema11.properties.console.properties.enablePasswordHash.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err162];
}
else {
vErrors.push(err162);
}
errors++;
}
if(typeof data58 === "string"){
if(!pattern9.test(data58)){
const err163 = {instancePath:instancePath+"/console/enablePasswordHash",schemaPath:"#/properties/console/properties/enablePasswordHash/pattern",keyword:"pattern",params:{pattern: "^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$"},message:"must match pattern \""+"^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$"+"\""};
if(vErrors === null){
vErrors = [err163];
}
else {
vErrors.push(err163);
}
errors++;
}
}
}
if(data54.tcpEnabled !== undefined){
if(typeof data54.tcpEnabled !== "boolean"){
const err164 = {instancePath:instancePath+"/console/tcpEnabled",schemaPath:"#/properties/console/properties/tcpEnabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err164];
}
else {
vErrors.push(err164);
}
errors++;
}
}
if(data54.idleTimeoutS !== undefined){
let data60 = data54.idleTimeoutS;
if(!(((typeof data60 == "number") && (!(data60 % 1) && !isNaN(data60))) && (isFinite(data60)))){
const err165 = {instancePath:instancePath+"/console/idleTimeoutS",schemaPath:"#/properties/console/properties/idleTimeoutS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err165];
}
else {
vErrors.push(err165);
}
errors++;
}
if((typeof data60 == "number") && (isFinite(data60))){
if(data60 > 86400 || isNaN(data60)){
const err166 = {instancePath:instancePath+"/console/idleTimeoutS",schemaPath:"#/properties/console/properties/idleTimeoutS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400},message:"must be <= 86400"};
if(vErrors === null){
vErrors = [err166];
}
else {
vErrors.push(err166);
}
errors++;
}
if(data60 < 10 || isNaN(data60)){
const err167 = {instancePath:instancePath+"/console/idleTimeoutS",schemaPath:"#/properties/console/properties/idleTimeoutS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 10},message:"must be >= 10"};
if(vErrors === null){
vErrors = [err167];
}
else {
vErrors.push(err167);
}
errors++;
}
}
}
if(data54.maxFailures !== undefined){
let data61 = data54.maxFailures;
if(!(((typeof data61 == "number") && (!(data61 % 1) && !isNaN(data61))) && (isFinite(data61)))){
const err168 = {instancePath:instancePath+"/console/maxFailures",schemaPath:"#/properties/console/properties/maxFailures/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err168];
}
else {
vErrors.push(err168);
}
errors++;
}
if((typeof data61 == "number") && (isFinite(data61))){
if(data61 > 100 || isNaN(data61)){
const err169 = {instancePath:instancePath+"/console/maxFailures",schemaPath:"#/properties/console/properties/maxFailures/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100"};
if(vErrors === null){
vErrors = [err169];
}
else {
vErrors.push(err169);
}
errors++;
}
if(data61 < 1 || isNaN(data61)){
const err170 = {instancePath:instancePath+"/console/maxFailures",schemaPath:"#/properties/console/properties/maxFailures/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err170];
}
else {
vErrors.push(err170);
}
errors++;
}
}
}
if(data54.lockoutS !== undefined){
let data62 = data54.lockoutS;
if(!(((typeof data62 == "number") && (!(data62 % 1) && !isNaN(data62))) && (isFinite(data62)))){
const err171 = {instancePath:instancePath+"/console/lockoutS",schemaPath:"#/properties/console/properties/lockoutS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err171];
}
else {
vErrors.push(err171);
}
errors++;
}
if((typeof data62 == "number") && (isFinite(data62))){
if(data62 > 3600 || isNaN(data62)){
const err172 = {instancePath:instancePath+"/console/lockoutS",schemaPath:"#/properties/console/properties/lockoutS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600"};
if(vErrors === null){
vErrors = [err172];
}
else {
vErrors.push(err172);
}
errors++;
}
if(data62 < 1 || isNaN(data62)){
const err173 = {instancePath:instancePath+"/console/lockoutS",schemaPath:"#/properties/console/properties/lockoutS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err173];
}
else {
vErrors.push(err173);
}
errors++;
}
}
}
}
else {
const err174 = {instancePath:instancePath+"/console",schemaPath:"#/properties/console/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err174];
}
else {
vErrors.push(err174);
}
errors++;
}
}
if(data.state !== undefined){
let data63 = data.state;
if(data63 && typeof data63 == "object" && !Array.isArray(data63)){
for(const key12 in data63){
if(!(key12 === "dir")){
const err175 = {instancePath:instancePath+"/state",schemaPath:"#/properties/state/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key12},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err175];
}
else {
vErrors.push(err175);
}
errors++;
}
}
if(data63.dir !== undefined){
let data64 = data63.dir;
if((typeof data64 !== "string") && (data64 !== null)){
const err176 = {instancePath:instancePath+"/state/dir",schemaPath:"#/properties/state/properties/dir/type",keyword:"type",params:{type: schema11.properties.state.properties.dir.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err176];
}
else {
vErrors.push(err176);
}
errors++;
}
if(typeof data64 === "string"){
if(func3(data64) > 4096){
const err177 = {instancePath:instancePath+"/state/dir",schemaPath:"#/properties/state/properties/dir/maxLength",keyword:"maxLength",params:{limit: 4096},message:"must NOT have more than 4096 characters"};
if(vErrors === null){
vErrors = [err177];
}
else {
vErrors.push(err177);
}
errors++;
}
if(func3(data64) < 1){
const err178 = {instancePath:instancePath+"/state/dir",schemaPath:"#/properties/state/properties/dir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err178];
}
else {
vErrors.push(err178);
}
errors++;
}
}
}
}
else {
const err179 = {instancePath:instancePath+"/state",schemaPath:"#/properties/state/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err179];
}
else {
vErrors.push(err179);
}
errors++;
}
}
if(data.cti !== undefined){
let data65 = data.cti;
if(data65 && typeof data65 == "object" && !Array.isArray(data65)){
for(const key13 in data65){
if(!((((key13 === "port") || (key13 === "providerOpenTimeoutMs")) || (key13 === "heartbeatIntervalS")) || (key13 === "required"))){
const err180 = {instancePath:instancePath+"/cti",schemaPath:"#/properties/cti/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err180];
}
else {
vErrors.push(err180);
}
errors++;
}
}
if(data65.port !== undefined){
let data66 = data65.port;
if(!(((typeof data66 == "number") && (!(data66 % 1) && !isNaN(data66))) && (isFinite(data66)))){
const err181 = {instancePath:instancePath+"/cti/port",schemaPath:"#/properties/cti/properties/port/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err181];
}
else {
vErrors.push(err181);
}
errors++;
}
if((typeof data66 == "number") && (isFinite(data66))){
if(data66 > 65535 || isNaN(data66)){
const err182 = {instancePath:instancePath+"/cti/port",schemaPath:"#/properties/cti/properties/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535"};
if(vErrors === null){
vErrors = [err182];
}
else {
vErrors.push(err182);
}
errors++;
}
if(data66 < 1 || isNaN(data66)){
const err183 = {instancePath:instancePath+"/cti/port",schemaPath:"#/properties/cti/properties/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err183];
}
else {
vErrors.push(err183);
}
errors++;
}
}
}
if(data65.providerOpenTimeoutMs !== undefined){
let data67 = data65.providerOpenTimeoutMs;
if(!(((typeof data67 == "number") && (!(data67 % 1) && !isNaN(data67))) && (isFinite(data67)))){
const err184 = {instancePath:instancePath+"/cti/providerOpenTimeoutMs",schemaPath:"#/properties/cti/properties/providerOpenTimeoutMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err184];
}
else {
vErrors.push(err184);
}
errors++;
}
if((typeof data67 == "number") && (isFinite(data67))){
if(data67 > 600000 || isNaN(data67)){
const err185 = {instancePath:instancePath+"/cti/providerOpenTimeoutMs",schemaPath:"#/properties/cti/properties/providerOpenTimeoutMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err185];
}
else {
vErrors.push(err185);
}
errors++;
}
if(data67 < 1000 || isNaN(data67)){
const err186 = {instancePath:instancePath+"/cti/providerOpenTimeoutMs",schemaPath:"#/properties/cti/properties/providerOpenTimeoutMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000"};
if(vErrors === null){
vErrors = [err186];
}
else {
vErrors.push(err186);
}
errors++;
}
}
}
if(data65.heartbeatIntervalS !== undefined){
let data68 = data65.heartbeatIntervalS;
if(!(((typeof data68 == "number") && (!(data68 % 1) && !isNaN(data68))) && (isFinite(data68)))){
const err187 = {instancePath:instancePath+"/cti/heartbeatIntervalS",schemaPath:"#/properties/cti/properties/heartbeatIntervalS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err187];
}
else {
vErrors.push(err187);
}
errors++;
}
if((typeof data68 == "number") && (isFinite(data68))){
if(data68 > 3600 || isNaN(data68)){
const err188 = {instancePath:instancePath+"/cti/heartbeatIntervalS",schemaPath:"#/properties/cti/properties/heartbeatIntervalS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600"};
if(vErrors === null){
vErrors = [err188];
}
else {
vErrors.push(err188);
}
errors++;
}
if(data68 < 1 || isNaN(data68)){
const err189 = {instancePath:instancePath+"/cti/heartbeatIntervalS",schemaPath:"#/properties/cti/properties/heartbeatIntervalS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err189];
}
else {
vErrors.push(err189);
}
errors++;
}
}
}
if(data65.required !== undefined){
if(typeof data65.required !== "boolean"){
const err190 = {instancePath:instancePath+"/cti/required",schemaPath:"#/properties/cti/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err190];
}
else {
vErrors.push(err190);
}
errors++;
}
}
}
else {
const err191 = {instancePath:instancePath+"/cti",schemaPath:"#/properties/cti/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err191];
}
else {
vErrors.push(err191);
}
errors++;
}
}
if(data.service !== undefined){
let data70 = data.service;
if(data70 && typeof data70 == "object" && !Array.isArray(data70)){
for(const key14 in data70){
if(!(((key14 === "connectionRetryTimeoutMs") || (key14 === "synchronousRequestTimeoutMs")) || (key14 === "cbbChangeNotificationPort"))){
const err192 = {instancePath:instancePath+"/service",schemaPath:"#/properties/service/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key14},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err192];
}
else {
vErrors.push(err192);
}
errors++;
}
}
if(data70.connectionRetryTimeoutMs !== undefined){
let data71 = data70.connectionRetryTimeoutMs;
if(!(((typeof data71 == "number") && (!(data71 % 1) && !isNaN(data71))) && (isFinite(data71)))){
const err193 = {instancePath:instancePath+"/service/connectionRetryTimeoutMs",schemaPath:"#/properties/service/properties/connectionRetryTimeoutMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err193];
}
else {
vErrors.push(err193);
}
errors++;
}
if((typeof data71 == "number") && (isFinite(data71))){
if(data71 > 3600000 || isNaN(data71)){
const err194 = {instancePath:instancePath+"/service/connectionRetryTimeoutMs",schemaPath:"#/properties/service/properties/connectionRetryTimeoutMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600000},message:"must be <= 3600000"};
if(vErrors === null){
vErrors = [err194];
}
else {
vErrors.push(err194);
}
errors++;
}
if(data71 < 1000 || isNaN(data71)){
const err195 = {instancePath:instancePath+"/service/connectionRetryTimeoutMs",schemaPath:"#/properties/service/properties/connectionRetryTimeoutMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000"};
if(vErrors === null){
vErrors = [err195];
}
else {
vErrors.push(err195);
}
errors++;
}
}
}
if(data70.synchronousRequestTimeoutMs !== undefined){
let data72 = data70.synchronousRequestTimeoutMs;
if(!(((typeof data72 == "number") && (!(data72 % 1) && !isNaN(data72))) && (isFinite(data72)))){
const err196 = {instancePath:instancePath+"/service/synchronousRequestTimeoutMs",schemaPath:"#/properties/service/properties/synchronousRequestTimeoutMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err196];
}
else {
vErrors.push(err196);
}
errors++;
}
if((typeof data72 == "number") && (isFinite(data72))){
if(data72 > 600000 || isNaN(data72)){
const err197 = {instancePath:instancePath+"/service/synchronousRequestTimeoutMs",schemaPath:"#/properties/service/properties/synchronousRequestTimeoutMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err197];
}
else {
vErrors.push(err197);
}
errors++;
}
if(data72 < 100 || isNaN(data72)){
const err198 = {instancePath:instancePath+"/service/synchronousRequestTimeoutMs",schemaPath:"#/properties/service/properties/synchronousRequestTimeoutMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100"};
if(vErrors === null){
vErrors = [err198];
}
else {
vErrors.push(err198);
}
errors++;
}
}
}
if(data70.cbbChangeNotificationPort !== undefined){
let data73 = data70.cbbChangeNotificationPort;
if(!(((typeof data73 == "number") && (!(data73 % 1) && !isNaN(data73))) && (isFinite(data73)))){
const err199 = {instancePath:instancePath+"/service/cbbChangeNotificationPort",schemaPath:"#/properties/service/properties/cbbChangeNotificationPort/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err199];
}
else {
vErrors.push(err199);
}
errors++;
}
if((typeof data73 == "number") && (isFinite(data73))){
if(data73 > 65535 || isNaN(data73)){
const err200 = {instancePath:instancePath+"/service/cbbChangeNotificationPort",schemaPath:"#/properties/service/properties/cbbChangeNotificationPort/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535"};
if(vErrors === null){
vErrors = [err200];
}
else {
vErrors.push(err200);
}
errors++;
}
if(data73 < 1 || isNaN(data73)){
const err201 = {instancePath:instancePath+"/service/cbbChangeNotificationPort",schemaPath:"#/properties/service/properties/cbbChangeNotificationPort/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err201];
}
else {
vErrors.push(err201);
}
errors++;
}
}
}
}
else {
const err202 = {instancePath:instancePath+"/service",schemaPath:"#/properties/service/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err202];
}
else {
vErrors.push(err202);
}
errors++;
}
}
if(data.callback !== undefined){
let data74 = data.callback;
if(data74 && typeof data74 == "object" && !Array.isArray(data74)){
for(const key15 in data74){
if(!(func2.call(schema11.properties.callback.properties, key15))){
const err203 = {instancePath:instancePath+"/callback",schemaPath:"#/properties/callback/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key15},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err203];
}
else {
vErrors.push(err203);
}
errors++;
}
}
if(data74.guardTimeMs !== undefined){
let data75 = data74.guardTimeMs;
if(!(((typeof data75 == "number") && (!(data75 % 1) && !isNaN(data75))) && (isFinite(data75)))){
const err204 = {instancePath:instancePath+"/callback/guardTimeMs",schemaPath:"#/properties/callback/properties/guardTimeMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err204];
}
else {
vErrors.push(err204);
}
errors++;
}
if((typeof data75 == "number") && (isFinite(data75))){
if(data75 > 600000 || isNaN(data75)){
const err205 = {instancePath:instancePath+"/callback/guardTimeMs",schemaPath:"#/properties/callback/properties/guardTimeMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err205];
}
else {
vErrors.push(err205);
}
errors++;
}
if(data75 < 0 || isNaN(data75)){
const err206 = {instancePath:instancePath+"/callback/guardTimeMs",schemaPath:"#/properties/callback/properties/guardTimeMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err206];
}
else {
vErrors.push(err206);
}
errors++;
}
}
}
if(data74.protectionWindowMs !== undefined){
let data76 = data74.protectionWindowMs;
if(!(((typeof data76 == "number") && (!(data76 % 1) && !isNaN(data76))) && (isFinite(data76)))){
const err207 = {instancePath:instancePath+"/callback/protectionWindowMs",schemaPath:"#/properties/callback/properties/protectionWindowMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err207];
}
else {
vErrors.push(err207);
}
errors++;
}
if((typeof data76 == "number") && (isFinite(data76))){
if(data76 > 3600000 || isNaN(data76)){
const err208 = {instancePath:instancePath+"/callback/protectionWindowMs",schemaPath:"#/properties/callback/properties/protectionWindowMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600000},message:"must be <= 3600000"};
if(vErrors === null){
vErrors = [err208];
}
else {
vErrors.push(err208);
}
errors++;
}
if(data76 < 0 || isNaN(data76)){
const err209 = {instancePath:instancePath+"/callback/protectionWindowMs",schemaPath:"#/properties/callback/properties/protectionWindowMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err209];
}
else {
vErrors.push(err209);
}
errors++;
}
}
}
if(data74.recallWindowMs !== undefined){
let data77 = data74.recallWindowMs;
if(!(((typeof data77 == "number") && (!(data77 % 1) && !isNaN(data77))) && (isFinite(data77)))){
const err210 = {instancePath:instancePath+"/callback/recallWindowMs",schemaPath:"#/properties/callback/properties/recallWindowMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err210];
}
else {
vErrors.push(err210);
}
errors++;
}
if((typeof data77 == "number") && (isFinite(data77))){
if(data77 > 86400000 || isNaN(data77)){
const err211 = {instancePath:instancePath+"/callback/recallWindowMs",schemaPath:"#/properties/callback/properties/recallWindowMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400000},message:"must be <= 86400000"};
if(vErrors === null){
vErrors = [err211];
}
else {
vErrors.push(err211);
}
errors++;
}
if(data77 < 1000 || isNaN(data77)){
const err212 = {instancePath:instancePath+"/callback/recallWindowMs",schemaPath:"#/properties/callback/properties/recallWindowMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000"};
if(vErrors === null){
vErrors = [err212];
}
else {
vErrors.push(err212);
}
errors++;
}
}
}
if(data74.busyExpiryMin !== undefined){
let data78 = data74.busyExpiryMin;
if(!(((typeof data78 == "number") && (!(data78 % 1) && !isNaN(data78))) && (isFinite(data78)))){
const err213 = {instancePath:instancePath+"/callback/busyExpiryMin",schemaPath:"#/properties/callback/properties/busyExpiryMin/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err213];
}
else {
vErrors.push(err213);
}
errors++;
}
if((typeof data78 == "number") && (isFinite(data78))){
if(data78 > 10080 || isNaN(data78)){
const err214 = {instancePath:instancePath+"/callback/busyExpiryMin",schemaPath:"#/properties/callback/properties/busyExpiryMin/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10080},message:"must be <= 10080"};
if(vErrors === null){
vErrors = [err214];
}
else {
vErrors.push(err214);
}
errors++;
}
if(data78 < 1 || isNaN(data78)){
const err215 = {instancePath:instancePath+"/callback/busyExpiryMin",schemaPath:"#/properties/callback/properties/busyExpiryMin/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err215];
}
else {
vErrors.push(err215);
}
errors++;
}
}
}
if(data74.noAnswerExpiryMin !== undefined){
let data79 = data74.noAnswerExpiryMin;
if(!(((typeof data79 == "number") && (!(data79 % 1) && !isNaN(data79))) && (isFinite(data79)))){
const err216 = {instancePath:instancePath+"/callback/noAnswerExpiryMin",schemaPath:"#/properties/callback/properties/noAnswerExpiryMin/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err216];
}
else {
vErrors.push(err216);
}
errors++;
}
if((typeof data79 == "number") && (isFinite(data79))){
if(data79 > 10080 || isNaN(data79)){
const err217 = {instancePath:instancePath+"/callback/noAnswerExpiryMin",schemaPath:"#/properties/callback/properties/noAnswerExpiryMin/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10080},message:"must be <= 10080"};
if(vErrors === null){
vErrors = [err217];
}
else {
vErrors.push(err217);
}
errors++;
}
if(data79 < 1 || isNaN(data79)){
const err218 = {instancePath:instancePath+"/callback/noAnswerExpiryMin",schemaPath:"#/properties/callback/properties/noAnswerExpiryMin/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err218];
}
else {
vErrors.push(err218);
}
errors++;
}
}
}
if(data74.maxActivePerCaller !== undefined){
let data80 = data74.maxActivePerCaller;
if(!(((typeof data80 == "number") && (!(data80 % 1) && !isNaN(data80))) && (isFinite(data80)))){
const err219 = {instancePath:instancePath+"/callback/maxActivePerCaller",schemaPath:"#/properties/callback/properties/maxActivePerCaller/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err219];
}
else {
vErrors.push(err219);
}
errors++;
}
if((typeof data80 == "number") && (isFinite(data80))){
if(data80 > 10 || isNaN(data80)){
const err220 = {instancePath:instancePath+"/callback/maxActivePerCaller",schemaPath:"#/properties/callback/properties/maxActivePerCaller/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"};
if(vErrors === null){
vErrors = [err220];
}
else {
vErrors.push(err220);
}
errors++;
}
if(data80 < 1 || isNaN(data80)){
const err221 = {instancePath:instancePath+"/callback/maxActivePerCaller",schemaPath:"#/properties/callback/properties/maxActivePerCaller/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err221];
}
else {
vErrors.push(err221);
}
errors++;
}
}
}
if(data74.maxQueuePerCallee !== undefined){
let data81 = data74.maxQueuePerCallee;
if(!(((typeof data81 == "number") && (!(data81 % 1) && !isNaN(data81))) && (isFinite(data81)))){
const err222 = {instancePath:instancePath+"/callback/maxQueuePerCallee",schemaPath:"#/properties/callback/properties/maxQueuePerCallee/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err222];
}
else {
vErrors.push(err222);
}
errors++;
}
if((typeof data81 == "number") && (isFinite(data81))){
if(data81 > 100 || isNaN(data81)){
const err223 = {instancePath:instancePath+"/callback/maxQueuePerCallee",schemaPath:"#/properties/callback/properties/maxQueuePerCallee/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100"};
if(vErrors === null){
vErrors = [err223];
}
else {
vErrors.push(err223);
}
errors++;
}
if(data81 < 1 || isNaN(data81)){
const err224 = {instancePath:instancePath+"/callback/maxQueuePerCallee",schemaPath:"#/properties/callback/properties/maxQueuePerCallee/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err224];
}
else {
vErrors.push(err224);
}
errors++;
}
}
}
if(data74.maxRequests !== undefined){
let data82 = data74.maxRequests;
if(!(((typeof data82 == "number") && (!(data82 % 1) && !isNaN(data82))) && (isFinite(data82)))){
const err225 = {instancePath:instancePath+"/callback/maxRequests",schemaPath:"#/properties/callback/properties/maxRequests/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err225];
}
else {
vErrors.push(err225);
}
errors++;
}
if((typeof data82 == "number") && (isFinite(data82))){
if(data82 > 1000000 || isNaN(data82)){
const err226 = {instancePath:instancePath+"/callback/maxRequests",schemaPath:"#/properties/callback/properties/maxRequests/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000"};
if(vErrors === null){
vErrors = [err226];
}
else {
vErrors.push(err226);
}
errors++;
}
if(data82 < 1 || isNaN(data82)){
const err227 = {instancePath:instancePath+"/callback/maxRequests",schemaPath:"#/properties/callback/properties/maxRequests/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err227];
}
else {
vErrors.push(err227);
}
errors++;
}
}
}
if(data74.callerUnregisteredGraceS !== undefined){
let data83 = data74.callerUnregisteredGraceS;
if(!(((typeof data83 == "number") && (!(data83 % 1) && !isNaN(data83))) && (isFinite(data83)))){
const err228 = {instancePath:instancePath+"/callback/callerUnregisteredGraceS",schemaPath:"#/properties/callback/properties/callerUnregisteredGraceS/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err228];
}
else {
vErrors.push(err228);
}
errors++;
}
if((typeof data83 == "number") && (isFinite(data83))){
if(data83 > 86400 || isNaN(data83)){
const err229 = {instancePath:instancePath+"/callback/callerUnregisteredGraceS",schemaPath:"#/properties/callback/properties/callerUnregisteredGraceS/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400},message:"must be <= 86400"};
if(vErrors === null){
vErrors = [err229];
}
else {
vErrors.push(err229);
}
errors++;
}
if(data83 < 0 || isNaN(data83)){
const err230 = {instancePath:instancePath+"/callback/callerUnregisteredGraceS",schemaPath:"#/properties/callback/properties/callerUnregisteredGraceS/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err230];
}
else {
vErrors.push(err230);
}
errors++;
}
}
}
if(data74.callerModels !== undefined){
let data84 = data74.callerModels;
if(typeof data84 === "string"){
if(!pattern11.test(data84)){
const err231 = {instancePath:instancePath+"/callback/callerModels",schemaPath:"#/properties/callback/properties/callerModels/pattern",keyword:"pattern",params:{pattern: "^(\\*|[A-Za-z0-9 +-]+(,[A-Za-z0-9 +-]+)*)$"},message:"must match pattern \""+"^(\\*|[A-Za-z0-9 +-]+(,[A-Za-z0-9 +-]+)*)$"+"\""};
if(vErrors === null){
vErrors = [err231];
}
else {
vErrors.push(err231);
}
errors++;
}
}
else {
const err232 = {instancePath:instancePath+"/callback/callerModels",schemaPath:"#/properties/callback/properties/callerModels/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err232];
}
else {
vErrors.push(err232);
}
errors++;
}
}
if(data74.noAnswerRequiresUse !== undefined){
if(typeof data74.noAnswerRequiresUse !== "boolean"){
const err233 = {instancePath:instancePath+"/callback/noAnswerRequiresUse",schemaPath:"#/properties/callback/properties/noAnswerRequiresUse/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err233];
}
else {
vErrors.push(err233);
}
errors++;
}
}
if(data74.notifyRetryMs !== undefined){
let data86 = data74.notifyRetryMs;
if(!(((typeof data86 == "number") && (!(data86 % 1) && !isNaN(data86))) && (isFinite(data86)))){
const err234 = {instancePath:instancePath+"/callback/notifyRetryMs",schemaPath:"#/properties/callback/properties/notifyRetryMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err234];
}
else {
vErrors.push(err234);
}
errors++;
}
if((typeof data86 == "number") && (isFinite(data86))){
if(data86 > 3600000 || isNaN(data86)){
const err235 = {instancePath:instancePath+"/callback/notifyRetryMs",schemaPath:"#/properties/callback/properties/notifyRetryMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600000},message:"must be <= 3600000"};
if(vErrors === null){
vErrors = [err235];
}
else {
vErrors.push(err235);
}
errors++;
}
if(data86 < 1000 || isNaN(data86)){
const err236 = {instancePath:instancePath+"/callback/notifyRetryMs",schemaPath:"#/properties/callback/properties/notifyRetryMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000"};
if(vErrors === null){
vErrors = [err236];
}
else {
vErrors.push(err236);
}
errors++;
}
}
}
if(data74.notifyAttempts !== undefined){
let data87 = data74.notifyAttempts;
if(!(((typeof data87 == "number") && (!(data87 % 1) && !isNaN(data87))) && (isFinite(data87)))){
const err237 = {instancePath:instancePath+"/callback/notifyAttempts",schemaPath:"#/properties/callback/properties/notifyAttempts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err237];
}
else {
vErrors.push(err237);
}
errors++;
}
if((typeof data87 == "number") && (isFinite(data87))){
if(data87 > 20 || isNaN(data87)){
const err238 = {instancePath:instancePath+"/callback/notifyAttempts",schemaPath:"#/properties/callback/properties/notifyAttempts/maximum",keyword:"maximum",params:{comparison: "<=", limit: 20},message:"must be <= 20"};
if(vErrors === null){
vErrors = [err238];
}
else {
vErrors.push(err238);
}
errors++;
}
if(data87 < 1 || isNaN(data87)){
const err239 = {instancePath:instancePath+"/callback/notifyAttempts",schemaPath:"#/properties/callback/properties/notifyAttempts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err239];
}
else {
vErrors.push(err239);
}
errors++;
}
}
}
if(data74.mode !== undefined){
let data88 = data74.mode;
if(typeof data88 === "string"){
if(!pattern12.test(data88)){
const err240 = {instancePath:instancePath+"/callback/mode",schemaPath:"#/properties/callback/properties/mode/pattern",keyword:"pattern",params:{pattern: "^(serve|observe)$"},message:"must match pattern \""+"^(serve|observe)$"+"\""};
if(vErrors === null){
vErrors = [err240];
}
else {
vErrors.push(err240);
}
errors++;
}
}
else {
const err241 = {instancePath:instancePath+"/callback/mode",schemaPath:"#/properties/callback/properties/mode/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err241];
}
else {
vErrors.push(err241);
}
errors++;
}
}
}
else {
const err242 = {instancePath:instancePath+"/callback",schemaPath:"#/properties/callback/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err242];
}
else {
vErrors.push(err242);
}
errors++;
}
}
if(data.cluster !== undefined){
let data89 = data.cluster;
if(data89 && typeof data89 == "object" && !Array.isArray(data89)){
for(const key16 in data89){
if(!((key16 === "knowledgeMaxAgeDays") || (key16 === "knowledgeWriteDelayMs"))){
const err243 = {instancePath:instancePath+"/cluster",schemaPath:"#/properties/cluster/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key16},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err243];
}
else {
vErrors.push(err243);
}
errors++;
}
}
if(data89.knowledgeMaxAgeDays !== undefined){
let data90 = data89.knowledgeMaxAgeDays;
if(!(((typeof data90 == "number") && (!(data90 % 1) && !isNaN(data90))) && (isFinite(data90)))){
const err244 = {instancePath:instancePath+"/cluster/knowledgeMaxAgeDays",schemaPath:"#/properties/cluster/properties/knowledgeMaxAgeDays/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err244];
}
else {
vErrors.push(err244);
}
errors++;
}
if((typeof data90 == "number") && (isFinite(data90))){
if(data90 > 3650 || isNaN(data90)){
const err245 = {instancePath:instancePath+"/cluster/knowledgeMaxAgeDays",schemaPath:"#/properties/cluster/properties/knowledgeMaxAgeDays/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3650},message:"must be <= 3650"};
if(vErrors === null){
vErrors = [err245];
}
else {
vErrors.push(err245);
}
errors++;
}
if(data90 < 1 || isNaN(data90)){
const err246 = {instancePath:instancePath+"/cluster/knowledgeMaxAgeDays",schemaPath:"#/properties/cluster/properties/knowledgeMaxAgeDays/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err246];
}
else {
vErrors.push(err246);
}
errors++;
}
}
}
if(data89.knowledgeWriteDelayMs !== undefined){
let data91 = data89.knowledgeWriteDelayMs;
if(!(((typeof data91 == "number") && (!(data91 % 1) && !isNaN(data91))) && (isFinite(data91)))){
const err247 = {instancePath:instancePath+"/cluster/knowledgeWriteDelayMs",schemaPath:"#/properties/cluster/properties/knowledgeWriteDelayMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err247];
}
else {
vErrors.push(err247);
}
errors++;
}
if((typeof data91 == "number") && (isFinite(data91))){
if(data91 > 600000 || isNaN(data91)){
const err248 = {instancePath:instancePath+"/cluster/knowledgeWriteDelayMs",schemaPath:"#/properties/cluster/properties/knowledgeWriteDelayMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err248];
}
else {
vErrors.push(err248);
}
errors++;
}
if(data91 < 0 || isNaN(data91)){
const err249 = {instancePath:instancePath+"/cluster/knowledgeWriteDelayMs",schemaPath:"#/properties/cluster/properties/knowledgeWriteDelayMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err249];
}
else {
vErrors.push(err249);
}
errors++;
}
}
}
}
else {
const err250 = {instancePath:instancePath+"/cluster",schemaPath:"#/properties/cluster/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err250];
}
else {
vErrors.push(err250);
}
errors++;
}
}
if(data.redundancy !== undefined){
let data92 = data.redundancy;
if(data92 && typeof data92 == "object" && !Array.isArray(data92)){
for(const key17 in data92){
if(!((((((key17 === "enabled") || (key17 === "address")) || (key17 === "priority")) || (key17 === "heartbeatMs")) || (key17 === "staleAfterMs")) || (key17 === "settleMs"))){
const err251 = {instancePath:instancePath+"/redundancy",schemaPath:"#/properties/redundancy/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key17},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err251];
}
else {
vErrors.push(err251);
}
errors++;
}
}
if(data92.enabled !== undefined){
if(typeof data92.enabled !== "boolean"){
const err252 = {instancePath:instancePath+"/redundancy/enabled",schemaPath:"#/properties/redundancy/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err252];
}
else {
vErrors.push(err252);
}
errors++;
}
}
if(data92.address !== undefined){
let data94 = data92.address;
if(typeof data94 === "string"){
if(!pattern13.test(data94)){
const err253 = {instancePath:instancePath+"/redundancy/address",schemaPath:"#/properties/redundancy/properties/address/pattern",keyword:"pattern",params:{pattern: "^$|^[0-9A-Fa-f.:]{2,45}$"},message:"must match pattern \""+"^$|^[0-9A-Fa-f.:]{2,45}$"+"\""};
if(vErrors === null){
vErrors = [err253];
}
else {
vErrors.push(err253);
}
errors++;
}
}
else {
const err254 = {instancePath:instancePath+"/redundancy/address",schemaPath:"#/properties/redundancy/properties/address/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err254];
}
else {
vErrors.push(err254);
}
errors++;
}
}
if(data92.priority !== undefined){
let data95 = data92.priority;
if(!(((typeof data95 == "number") && (!(data95 % 1) && !isNaN(data95))) && (isFinite(data95)))){
const err255 = {instancePath:instancePath+"/redundancy/priority",schemaPath:"#/properties/redundancy/properties/priority/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err255];
}
else {
vErrors.push(err255);
}
errors++;
}
if((typeof data95 == "number") && (isFinite(data95))){
if(data95 > 255 || isNaN(data95)){
const err256 = {instancePath:instancePath+"/redundancy/priority",schemaPath:"#/properties/redundancy/properties/priority/maximum",keyword:"maximum",params:{comparison: "<=", limit: 255},message:"must be <= 255"};
if(vErrors === null){
vErrors = [err256];
}
else {
vErrors.push(err256);
}
errors++;
}
if(data95 < 0 || isNaN(data95)){
const err257 = {instancePath:instancePath+"/redundancy/priority",schemaPath:"#/properties/redundancy/properties/priority/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err257];
}
else {
vErrors.push(err257);
}
errors++;
}
}
}
if(data92.heartbeatMs !== undefined){
let data96 = data92.heartbeatMs;
if(!(((typeof data96 == "number") && (!(data96 % 1) && !isNaN(data96))) && (isFinite(data96)))){
const err258 = {instancePath:instancePath+"/redundancy/heartbeatMs",schemaPath:"#/properties/redundancy/properties/heartbeatMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err258];
}
else {
vErrors.push(err258);
}
errors++;
}
if((typeof data96 == "number") && (isFinite(data96))){
if(data96 > 60000 || isNaN(data96)){
const err259 = {instancePath:instancePath+"/redundancy/heartbeatMs",schemaPath:"#/properties/redundancy/properties/heartbeatMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 60000},message:"must be <= 60000"};
if(vErrors === null){
vErrors = [err259];
}
else {
vErrors.push(err259);
}
errors++;
}
if(data96 < 100 || isNaN(data96)){
const err260 = {instancePath:instancePath+"/redundancy/heartbeatMs",schemaPath:"#/properties/redundancy/properties/heartbeatMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100"};
if(vErrors === null){
vErrors = [err260];
}
else {
vErrors.push(err260);
}
errors++;
}
}
}
if(data92.staleAfterMs !== undefined){
let data97 = data92.staleAfterMs;
if(!(((typeof data97 == "number") && (!(data97 % 1) && !isNaN(data97))) && (isFinite(data97)))){
const err261 = {instancePath:instancePath+"/redundancy/staleAfterMs",schemaPath:"#/properties/redundancy/properties/staleAfterMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err261];
}
else {
vErrors.push(err261);
}
errors++;
}
if((typeof data97 == "number") && (isFinite(data97))){
if(data97 > 600000 || isNaN(data97)){
const err262 = {instancePath:instancePath+"/redundancy/staleAfterMs",schemaPath:"#/properties/redundancy/properties/staleAfterMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err262];
}
else {
vErrors.push(err262);
}
errors++;
}
if(data97 < 300 || isNaN(data97)){
const err263 = {instancePath:instancePath+"/redundancy/staleAfterMs",schemaPath:"#/properties/redundancy/properties/staleAfterMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 300},message:"must be >= 300"};
if(vErrors === null){
vErrors = [err263];
}
else {
vErrors.push(err263);
}
errors++;
}
}
}
if(data92.settleMs !== undefined){
let data98 = data92.settleMs;
if(!(((typeof data98 == "number") && (!(data98 % 1) && !isNaN(data98))) && (isFinite(data98)))){
const err264 = {instancePath:instancePath+"/redundancy/settleMs",schemaPath:"#/properties/redundancy/properties/settleMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err264];
}
else {
vErrors.push(err264);
}
errors++;
}
if((typeof data98 == "number") && (isFinite(data98))){
if(data98 > 60000 || isNaN(data98)){
const err265 = {instancePath:instancePath+"/redundancy/settleMs",schemaPath:"#/properties/redundancy/properties/settleMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 60000},message:"must be <= 60000"};
if(vErrors === null){
vErrors = [err265];
}
else {
vErrors.push(err265);
}
errors++;
}
if(data98 < 0 || isNaN(data98)){
const err266 = {instancePath:instancePath+"/redundancy/settleMs",schemaPath:"#/properties/redundancy/properties/settleMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err266];
}
else {
vErrors.push(err266);
}
errors++;
}
}
}
}
else {
const err267 = {instancePath:instancePath+"/redundancy",schemaPath:"#/properties/redundancy/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err267];
}
else {
vErrors.push(err267);
}
errors++;
}
}
}
else {
const err268 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err268];
}
else {
vErrors.push(err268);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

/* c8 ignore stop */
