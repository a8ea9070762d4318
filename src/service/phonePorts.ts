/**
 * The service's two phone adapters as ports: the XSI push client and the phone-facing HTTP service, each
 * reduced to what the service calls, and the factories that build the real ones from the configuration
 * (the defaults of CallbackService; a test passes its own). Factories rather than instances: the push client
 * is rebuilt when the push settings change live, and the HTTP service needs the service's action handler.
 */
import { networkInterfaces } from "node:os";
import type { Config } from "../config/types.js";
import { loadDictionariesSync } from "../phone/dictionary.js";
import { type ActionHandler, PhoneHttpService, type TicketRequest } from "../phone/http.js";
import { PushClient, type PushOutcome, type PushTarget } from "../phone/push.js";
import type { ExecuteDocument } from "../phone/xsi.js";

/** Pushes XSI objects to phones (phone/push.ts PushClient). */
export interface PushPort {
    /** Never rejects for a phone's behaviour: every outcome is a code. */
    push(target: PushTarget, execute: ExecuteDocument): Promise<PushOutcome>;
    /** Ends its pushes in flight and refuses new ones. */
    close(): void;
}

/** The push client for the `phones` settings, or null when no push user is configured. */
export type PushFactory = (phones: Config["phones"]) => PushPort | null;

/** Serves the screens pushed to phones and takes their Cancel/OK (phone/http.ts PhoneHttpService). */
export interface PhoneHttpPort {
    /** Base URL phones reach it at (after start). */
    readonly baseUrl: string;
    start(): Promise<void>;
    stop(): Promise<void>;
    /** A ticket for one screen on one phone; the URL goes into the push. */
    issue(request: TicketRequest): { token: string; url: string };
    /** Withdraws every ticket of a request or offer (it ended). */
    revoke(ref: string): void;
}

/** What the phone HTTP service calls back into the service. */
export interface PhoneHttpHandlers {
    onAction: ActionHandler;
    onRequest: (info: { path: string; status: number; source: string; reason?: string }) => void;
}

export type PhoneHttpFactory = (handlers: PhoneHttpHandlers) => PhoneHttpPort;

/** The real push client for the phones section, or null without a push user and password. */
export function pushClientFor(phones: Config["phones"], timeoutMs: number): PushClient | null {
    const { pushUser, pushPassword, pushUrl } = phones;
    return pushUser !== null && pushPassword !== null
        ? new PushClient({ user: pushUser, password: pushPassword, urlTemplate: pushUrl, timeoutMs })
        : null;
}

/** Real push clients with the configured timeout (Synchronous Request Time Out). */
export function realPushFactory(config: Config): PushFactory {
    return (phones) => pushClientFor(phones, config.service.synchronousRequestTimeoutMs);
}

/** The real phone HTTP service on `http.listen`, with the shipped locale dictionaries. */
export function realPhoneHttpFactory(config: Config): PhoneHttpFactory {
    return ({ onAction, onRequest }) => {
        const [host, port] = splitListen(config.http.listen);
        return new PhoneHttpService({
            host,
            port,
            publicUrl: config.http.publicUrl ?? guessPublicUrl(config.http.listen),
            locales: loadDictionariesSync(),
            defaultLocale: config.locale.default,
            onAction,
            onRequest,
        });
    };
}

/** "0.0.0.0:8080" / "[::]:8080" → host and port. */
export function splitListen(listen: string): [string, number] {
    const i = listen.lastIndexOf(":");
    const host = listen.slice(0, i);
    return [host.startsWith("[") ? host.slice(1, -1) : host, Number(listen.slice(i + 1))];
}

/**
 * A URL phones can reach when http.publicUrl is not set. Listening on one address: undefined (the service
 * uses the address it is bound to, port included). On all addresses: the first non-internal IPv4.
 */
export function guessPublicUrl(listen: string): string | undefined {
    const [host, port] = splitListen(listen);
    if (host !== "0.0.0.0" && host !== "::") return undefined;
    for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return `http://${a.address}:${port}`;
    }
    return undefined;
}
