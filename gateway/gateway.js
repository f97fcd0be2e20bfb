// njs helpers of the API gateway (loaded by the rendered nginx.conf with js_import).
import crypto from 'crypto';

// The key of the cached verify verdict: a SHA-256 of the Authorization header, so that no
// raw token is ever written to the cache folder (a cache file holds its key in clear), and
// the number of the current $gw_auth_cache_s-second window. nginx keeps an entry until the
// end of the second after its validity (up to a second too long); with the window in the
// key, a verdict is reused for at most $gw_auth_cache_s seconds, so a revoked token stops at
// the gateway within that time.
function authKey(r) {
    const auth = r.headersIn.Authorization;
    const secs = Number(r.variables.gw_auth_cache_s) || 1;
    const win = Math.floor(Date.now() / (secs * 1000));
    if (!auth) {
        return 'none:' + win;
    }
    return crypto.createHash('sha256').update(auth).digest('hex') + ':' + win;
}

// The envelope's timestamp, in the services' format: 2026-11-24T10:37:00.123Z.
function now(r) {
    return new Date().toISOString();
}

export default { authKey, now };
