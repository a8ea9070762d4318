/** Outgoing HTTP of the simulated phone: GETs of XSI objects and clips, the authentication call-out. */

import { request } from "node:http";

/** Result of one request: a response, or the network error code (ECONNREFUSED, TIMEOUT, URL …). */
export type HttpResult =
    | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
    | { ok: false; code: string };

/** One outgoing request. Only http: (79xx SCCP phones of the CM 4.x era do not fetch over HTTPS). */
export interface HttpRequestSpec {
    url: string;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
    /** Source address (the phone's own IP). */
    localAddress?: string;
    timeoutMs: number;
    /** Bodies larger than this are cut (default 1 MiB). */
    maxBytes?: number;
}

/** Sends one request with exactly the given headers (plus Host, Content-Length, Connection: close). */
export function httpRequest(spec: HttpRequestSpec): Promise<HttpResult> {
    let u: URL;
    try {
        u = new URL(spec.url);
    } catch {
        return Promise.resolve({ ok: false, code: "URL" });
    }
    if (u.protocol !== "http:") return Promise.resolve({ ok: false, code: "PROTOCOL" });
    const maxBytes = spec.maxBytes ?? 1 << 20;
    return new Promise((resolve) => {
        let done = false;
        const finish = (r: HttpResult): void => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve(r);
        };
        const headers: Record<string, string> = { ...spec.headers };
        if (spec.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(spec.body));
        const req = request(
            {
                host: u.hostname.replace(/^\[|\]$/g, ""),
                port: u.port === "" ? 80 : Number(u.port),
                path: `${u.pathname}${u.search}`,
                method: spec.method ?? "GET",
                headers,
                agent: false,
                ...(spec.localAddress !== undefined ? { localAddress: spec.localAddress } : {}),
            },
            (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (c: Buffer) => {
                    if (size < maxBytes) chunks.push(c);
                    size += c.length;
                });
                res.on("end", () => {
                    const body = Buffer.concat(chunks);
                    finish({
                        ok: true,
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body: body.length > maxBytes ? body.subarray(0, maxBytes) : body,
                    });
                });
                res.on("error", (e: NodeJS.ErrnoException) => finish({ ok: false, code: e.code ?? "ERROR" }));
            },
        );
        const timer = setTimeout(() => {
            finish({ ok: false, code: "TIMEOUT" });
            req.destroy();
        }, spec.timeoutMs);
        req.on("error", (e: NodeJS.ErrnoException) => finish({ ok: false, code: e.code ?? "ERROR" }));
        req.end(spec.body);
    });
}

/** CallManager locale names → the language a phone announces (unknown names pass through). */
const LOCALE_LANG: Readonly<Record<string, string>> = {
    English_United_States: "en",
    English_United_Kingdom: "en-GB",
    German_Germany: "de",
    French_France: "fr",
    Spanish_Spain: "es",
    Italian_Italy: "it",
    Dutch_Netherlands: "nl",
    Portuguese_Portugal: "pt",
    Japanese_Japan: "ja",
};

/** Accept-Language value for a phone locale (default "en"). */
export function acceptLanguage(locale: string | undefined): string {
    if (locale === undefined || locale.length === 0) return "en";
    return Object.hasOwn(LOCALE_LANG, locale) ? LOCALE_LANG[locale]! : locale;
}

/** x-CiscoIPPhoneDisplay per model: width, height, bit depth, C(olour)/G(rey) [unverified except 7940/7960]. */
const DISPLAY: Readonly<Record<string, string>> = {
    "CP-7940G": "133,65,2,G",
    "CP-7960G": "133,65,2,G",
    "CP-7905G": "96,64,1,G",
    "CP-7912G": "96,64,1,G",
    "CP-7965G": "298,156,16,C",
};

/**
 * Request headers a 79xx sends when it fetches an XSI object (reference §1.5 item 6, captured from a 7965;
 * the User-Agent version and SDK version for CM 4.x-era firmware are [unverified]). `extra` entries replace
 * defaults with the same name (case-insensitive) or add new ones.
 */
export function phoneHeaders(
    model: string,
    locale: string | undefined,
    extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
    const h: Record<string, string> = {
        "User-Agent": "Allegro-Software-WebClient/4.34",
        Accept: "x-CiscoIPPhone/*, text/*, image/png, */*",
        "Accept-Charset": "utf-8,iso-8859-1;q=0.8",
        "Accept-Language": acceptLanguage(locale),
        "x-CiscoIPPhoneModelName": model,
        "x-CiscoIPPhoneDisplay": Object.hasOwn(DISPLAY, model) ? DISPLAY[model]! : "133,65,2,G",
        "x-CiscoIPPhoneSDKVersion": "3.3.4",
    };
    for (const [k, v] of Object.entries(extra)) {
        for (const existing of Object.keys(h)) if (existing.toLowerCase() === k.toLowerCase()) delete h[existing];
        h[k] = v;
    }
    return h;
}

/** Decodes an XSI body: charset from Content-Type, else the XML declaration, else UTF-8. */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
    const fromHeader = /charset\s*=\s*"?([A-Za-z0-9._-]+)/i.exec(contentType ?? "")?.[1];
    const head = body.subarray(0, 100).toString("latin1");
    const fromDecl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
    const cs = (fromHeader ?? fromDecl ?? "utf-8").toLowerCase();
    const latin = cs === "iso-8859-1" || cs === "latin1" || cs === "windows-1252" || cs === "us-ascii";
    return body.toString(latin ? "latin1" : "utf8");
}
