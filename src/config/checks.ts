/**
 * The checks a JSON schema cannot express (URL templates, URLs, addresses, keys that need each other). One
 * list used by every entry point: `loadConfig` (run, replay, config --check, doctor, console) and every
 * candidate of `set-parameter` and `config/desired`, so nothing passes one and fails the other.
 */
import { createRequire } from "node:module";
import { ConfigError } from "../errors.js";
import type { ConfigProblem } from "./schema.js";

/** net.isIP, with node:net loaded only when an address is to be checked (not by every command's start). */
function isIP(address: string): number {
    return (createRequire(import.meta.url)("node:net") as typeof import("node:net")).isIP(address);
}

const PLACEHOLDERS = new Set(["ip", "device", "mac"]);

/** Why a push URL template cannot work, or null when it can. */
export function pushUrlTemplateProblem(template: string): string | null {
    for (const m of template.matchAll(/\{([^}]*)\}/g)) {
        if (!PLACEHOLDERS.has(m[1]!)) return `unknown placeholder {${m[1]}} (use {ip}, {device}, {mac})`;
    }
    let url: URL;
    try {
        url = new URL(
            template
                .replace(/\{ip\}/g, "192.0.2.1")
                .replace(/\{device\}/g, "SEP0")
                .replace(/\{mac\}/g, "0"),
        );
    } catch {
        return "not a URL";
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
    if (url.username !== "" || url.password !== "") return "must not carry credentials (use phones.pushUser)";
    return null;
}

/** Checks a push URL template; throws ConfigError (key phones.pushUrl) when it cannot work. */
export function checkPushUrlTemplate(template: string): void {
    const reason = pushUrlTemplateProblem(template);
    if (reason !== null) {
        throw new ConfigError("CONFIG_INVALID", `phones.pushUrl: ${reason}`, { key: "phones.pushUrl", reason });
    }
}

/** Why a base URL phones fetch screens from cannot work, or null. */
function publicUrlProblem(text: string): string | null {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return "not a URL (e.g. http://10.1.1.5:8080)";
    }
    if (url.protocol !== "http:") return "must be an http:// URL (the phones fetch screens over plain HTTP)";
    if (url.username !== "" || url.password !== "") return "must not carry credentials";
    if (url.search !== "" || url.hash !== "") return "must not have a query or fragment";
    return null;
}

/** Why a broker URL cannot work, or null. */
function brokerUrlProblem(text: string): string | null {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return "not a URL (e.g. mqtt://broker.example:1883)";
    }
    if (url.hostname === "") return "names no host";
    return null;
}

/** What a configuration has wrong beyond the schema (call it only once the schema accepts the document). */
export function semanticProblems(config: unknown): ConfigProblem[] {
    const c = config as {
        phones: { pushUrl: string };
        http: { publicUrl: string | null };
        mqtt: { url: string | null };
        redundancy: { enabled: boolean; address: string };
    };
    const out: ConfigProblem[] = [];
    const add = (key: string, reason: string | null): void => {
        if (reason !== null) out.push({ key, reason });
    };
    add("phones.pushUrl", pushUrlTemplateProblem(c.phones.pushUrl));
    if (c.http.publicUrl !== null) add("http.publicUrl", publicUrlProblem(c.http.publicUrl));
    if (c.mqtt.url !== null) add("mqtt.url", brokerUrlProblem(c.mqtt.url));
    if (c.redundancy.address !== "" && isIP(c.redundancy.address) === 0) {
        add("redundancy.address", `is not an IP address (got ${JSON.stringify(c.redundancy.address)})`);
    }
    if (c.redundancy.enabled && c.mqtt.url === null) {
        add("redundancy.enabled", "needs a broker: set mqtt.url (the boxes of a site elect over MQTT)");
    }
    return out;
}
