/**
 * The MQTT topic scheme: everything of one box lives under `callbackd/v1/<site>/<node>/`.
 * `v1` is the schema version (as Sparkplug's `spBv1.0`); site and node ids are lower-case words.
 */
import { ID_PATTERN } from "../config/sections/mqtt.js";
import { ConfigError } from "../errors.js";

/** Root of every topic. */
export const TOPIC_ROOT = "callbackd/v1";

/** Site and node ids: lower-case letters, digits, `_` and `-`, 1–64 characters (no `+ # / $`). */
export { ID_PATTERN };

/** Command names: lower-case words joined by `-` (e.g. `set-parameter`). */
export const COMMAND_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The topics of one node. */
export interface NodeTopics {
    /** `callbackd/v1/<site>/<node>` */
    readonly base: string;
    /** Birth/death, retained. */
    readonly status: string;
    /** Versions, commands and the alarm catalogue, retained. */
    readonly meta: string;
    /** Active alarm table, retained. */
    readonly alarmsActive: string;
    /** Alarm event stream (protobuf), QoS 1. */
    readonly alarmsEvents: string;
    /** Periodic counters and gauges (protobuf), QoS 0. */
    readonly telemetry: string;
    /** Commands with the name in the payload. */
    readonly cmd: string;
    /** Subscription filter for `cmd/<command>`. */
    readonly cmdFilter: string;
    /** Retained desired configuration (written by the head-end). */
    readonly configDesired: string;
    /** Retained reported configuration. */
    readonly configReported: string;
    /** `cmd/<command>` */
    command(name: string): string;
    /** `res/<command>`: responses when the request names no MQTT 5 response topic. */
    response(name: string): string;
}

/** Checks a site or node id; throws ConfigError CONFIG_INVALID naming `what`. */
export function checkId(what: string, id: string): string {
    if (!ID_PATTERN.test(id)) {
        const reason = "must be 1-64 lower-case letters, digits, _ or - (starting with a letter or digit)";
        throw new ConfigError("CONFIG_INVALID", `${what} ${JSON.stringify(id)} ${reason}`, {
            errors: [{ key: what, reason }],
        });
    }
    return id;
}

/** The topics of node `<site>/<node>`; throws ConfigError for a bad id. */
export function nodeTopics(site: string, node: string): NodeTopics {
    const base = `${TOPIC_ROOT}/${checkId("site", site)}/${checkId("node", node)}`;
    return {
        base,
        status: `${base}/status`,
        meta: `${base}/meta`,
        alarmsActive: `${base}/alarms/active`,
        alarmsEvents: `${base}/alarms/events`,
        telemetry: `${base}/telemetry`,
        cmd: `${base}/cmd`,
        cmdFilter: `${base}/cmd/+`,
        configDesired: `${base}/config/desired`,
        configReported: `${base}/config/reported`,
        command: (name) => `${base}/cmd/${name}`,
        response: (name) => `${base}/res/${name}`,
    };
}

/** What an incoming topic addresses, or null when it is not one of this node's input topics. */
export type IncomingTopic = { kind: "command"; name: string | null } | { kind: "desired" } | null;

/** Classifies a topic received on a subscription: this node's `cmd`, `cmd/<name>` or `config/desired`. */
export function classifyTopic(topics: NodeTopics, topic: string): IncomingTopic {
    if (topic === topics.configDesired) return { kind: "desired" };
    if (topic === topics.cmd) return { kind: "command", name: null };
    const prefix = `${topics.cmd}/`;
    if (topic.startsWith(prefix)) {
        const name = topic.slice(prefix.length);
        // Deeper levels (cmd/a/b) are not commands of this node.
        return name.includes("/") ? null : { kind: "command", name };
    }
    return null;
}

/**
 * Whether a requester's MQTT 5 response topic is acceptable: a publishable name (no wildcards, not
 * empty, not a `$` system topic) that does not point back into this node's command or config input.
 */
export function isAcceptableResponseTopic(topics: NodeTopics, topic: string): boolean {
    if (topic.length === 0 || topic.length > 1024) return false;
    if (topic.includes("+") || topic.includes("#") || topic.includes("\u0000") || topic.startsWith("$")) return false;
    return !(topic === topics.cmd || topic.startsWith(`${topics.cmd}/`) || topic === topics.configDesired);
}
