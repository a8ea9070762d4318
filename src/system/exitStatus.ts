/**
 * Exit statuses of `callbackd run` that systemd acts on (systemd/callbackd.service).
 *
 * An operator's restart (MQTT `restart`, console `reload`) must bring the service back. The unit restarts
 * on failures only (a clean stop by `systemctl stop` must stay stopped), so a restart exits with its own
 * status, listed in the unit's RestartForceExitStatus= (restart whatever Restart= says) and
 * SuccessExitStatus= (not logged as a failure). 75 is EX_TEMPFAIL of sysexits.h: "try again later".
 */
export const EXIT_RESTART = 75;
