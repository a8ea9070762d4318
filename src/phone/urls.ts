/**
 * The URLs of the phone-facing service, built in one place so the longest one a phone is ever given can be
 * known from the configuration alone: Cisco's XSI schema caps every URL at 256 characters, and a phone
 * refuses a push whose ExecuteItem or SoftKeyItem URL is longer.
 */
import { ConfigError } from "../errors.js";
import { SOFTKEY_IDS } from "./dictionary.js";

/** The longest URL an XSI object may carry (CiscoIPPhone.xsd: ExecuteItem@URL, SoftKeyItem/URL). */
export const XSI_URL_LIMIT = 256;

/** Characters of a ticket token: 16 random bytes in base64url. */
export const TOKEN_LENGTH = 22;

/** The base URL as the service uses it (no trailing slash). */
export function normalizeBase(publicUrl: string): string {
    return publicUrl.replace(/\/+$/, "");
}

/** The screen a push tells the phone to fetch. */
export function screenUrl(base: string, token: string): string {
    return `${base}/cb/s/${token}`;
}

/** A box softkey (Cancel, OK) of a screen. */
export function actionUrl(base: string, token: string, action: string): string {
    return `${base}/cb/a/${token}/${action}`;
}

/** The longest URL the service can hand a phone with this base URL. */
export function longestScreenUrl(publicUrl: string): string {
    const token = "x".repeat(TOKEN_LENGTH);
    const action = SOFTKEY_IDS.reduce((a, b) => (b.length > a.length ? b : a));
    const base = normalizeBase(publicUrl);
    const urls = [screenUrl(base, token), actionUrl(base, token, action)];
    return urls.reduce((a, b) => (b.length > a.length ? b : a));
}

/**
 * Refuses a base URL whose screens would exceed what a phone accepts (every push would fail):
 * `CONFIG_PUBLIC_URL_TOO_LONG`, naming the limit and how many characters the base may have.
 */
export function checkPublicUrl(publicUrl: string | null | undefined): void {
    if (publicUrl === null || publicUrl === undefined) return;
    const longest = longestScreenUrl(publicUrl);
    if (longest.length <= XSI_URL_LIMIT) return;
    const room = XSI_URL_LIMIT - (longest.length - normalizeBase(publicUrl).length);
    throw new ConfigError(
        "CONFIG_PUBLIC_URL_TOO_LONG",
        `http.publicUrl is too long: the screen URLs built on it reach ${longest.length} characters, phones accept at most ${XSI_URL_LIMIT} (XSI URL limit); use a base URL of at most ${room} characters`,
        { key: "http.publicUrl", length: longest.length, limit: XSI_URL_LIMIT, maxBaseLength: room },
    );
}
