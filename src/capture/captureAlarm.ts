import type { LiveCaptureState } from "./liveCapture.js";

/** Id of the alarm raised while live capture is not running. */
export const CAPTURE_DOWN_ALARM = "capture.down";

/**
 * Maps live-capture state changes (LiveCaptureEvents.onState) onto the capture.down alarm: raised when
 * the capture stops running (interface missing, down or lost; it is retried), cleared once it is open
 * again. The alarm manager adds the catalogue's hold-down, so a brief blip raises nothing.
 */
export function captureDownAlarm(
    iface: string,
    alarm: (id: string, action: "raise" | "clear", details: string) => void,
): (state: LiveCaptureState, error: { code: string; message: string } | null) => void {
    let down = false;
    return (state, error) => {
        if (state === "retrying" && !down) {
            down = true;
            alarm(CAPTURE_DOWN_ALARM, "raise", error?.message ?? `${iface}: capture not running`);
        } else if (state === "open" && down) {
            down = false;
            alarm(CAPTURE_DOWN_ALARM, "clear", `capturing on ${iface} again`);
        }
    };
}
