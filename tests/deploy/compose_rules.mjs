// deploy/docker-compose.yml as docker-compose resolves it (no container engine needed) holds
// the rules of README "Deploy": two networks, only web and the gateway published, health
// checks and ordered start, hardened containers, secrets the keys service makes, and every
// address a service is given pointing at a service of the file on its port.
//   usage: node compose_rules.mjs SOURCE_DIR BIN_DIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checks, SERVICES, composeConfig, configTable, dockerStages, machineLocal, portEntry, volumeEntry } from './deploy_lib.mjs';

const [src, binDir] = process.argv.slice(2);
if (!src || !binDir) {
    console.error('usage: node compose_rules.mjs SOURCE_DIR BIN_DIR');
    process.exit(2);
}
const t = new Checks('compose_rules');
const { doc, tool, why } = composeConfig(src);
if (!doc) {
    console.error(`compose_rules: cannot resolve deploy/docker-compose.yml: ${why}`);
    console.error('compose_rules: Debian\'s docker-compose package does it without an engine (scripts/bootstrap installs it)');
    process.exit(1);
}
const services = doc.services;
const stages = dockerStages(src);
const names = Object.keys(services);
const agoraImage = (s) => /^agora\/(agora|gateway):/.test(services[s].image || '');
const role = (s) => (services[s].command || [])[0];

// --- Networks -------------------------------------------------------------------------
t.check(doc.networks?.internal?.internal === true, 'network internal is not internal: true');
t.check(doc.networks?.edge && doc.networks.edge.internal !== true, 'network edge is missing or internal');
const netsOf = (s) => {
    const n = services[s].networks;
    return Array.isArray(n) ? n : Object.keys(n || {});
};
for (const s of names) {
    t.check(netsOf(s).includes('internal'), `${s} is not on the internal network`);
    const edge = netsOf(s).includes('edge');
    t.check(edge === (s === 'web' || s === 'gateway'), `${s} ${edge ? 'is' : 'is not'} on the edge network`);
    const ports = services[s].ports || [];
    if (s === 'web' || s === 'gateway') {
        const want = s === 'web' ? 3000 : 8000;
        t.check(ports.length === 1, `${s} publishes ${ports.length} ports, want 1`);
        for (const p of ports.map(portEntry)) {
            const { target, host_ip: ip } = p;
            t.check(target === want, `${s} publishes container port ${target}, want ${want}`);
            t.check(ip === '127.0.0.1', `${s} publishes on '${ip || 'every address'}' by default, want 127.0.0.1`);
        }
    } else {
        t.check(ports.length === 0 && !services[s].expose, `${s} publishes or exposes a port; only web and gateway may`);
    }
}

// --- Data services ----------------------------------------------------------------------
t.check(/^postgres:15(\b|$)/.test(services.postgres?.image || ''), 'postgres is not the postgres:15 image');
t.check(/^redis:7(\b|$)/.test(services.redis?.image || ''), 'redis is not the redis:7 image');
const volumesOf = (s) => (services[s]?.volumes || []).map(volumeEntry);
const volumeOf = (s, target) => volumesOf(s).find((v) => v.target === target);
const pgVol = volumeOf('postgres', '/var/lib/postgresql/data');
const redisVol = volumeOf('redis', '/data');
t.check(pgVol && pgVol.type === 'volume' && doc.volumes && pgVol.source in doc.volumes, 'postgres data is not a named volume');
t.check(redisVol && redisVol.type === 'volume' && doc.volumes && redisVol.source in doc.volumes, 'redis data is not a named volume');
const initdb = volumesOf('postgres').find((v) => (v.target || '').startsWith('/docker-entrypoint-initdb.d/'));
t.check(initdb && fs.existsSync(initdb.source), 'postgres does not mount deploy/postgres/initdb.sh into /docker-entrypoint-initdb.d');
t.check(services.redis?.command?.includes('--appendonly') && services.redis.command.includes('yes'), 'redis runs without appendonly yes');
for (const s of ['postgres', 'redis']) {
    const hc = services[s]?.healthcheck;
    t.check(hc && Array.isArray(hc.test) && hc.test.length > 1 && !hc.disable, `${s} has no health check`);
}

// --- Start order and health -------------------------------------------------------------
const oneShot = new Set(names.filter((s) => services[s].restart === 'no'));
const healthy = (s) => {
    const hc = services[s].healthcheck;
    if (hc?.disable) return false;
    if (hc?.test) return true;
    // The image's own HEALTHCHECK (deploy/Dockerfile's stage of its build target).
    const target = services[s].build?.target;
    return Boolean(target && stages.get(target)?.lines.some((l) => l.startsWith('HEALTHCHECK ')));
};
for (const s of names) {
    for (const [dep, how] of Object.entries(services[s].depends_on || {})) {
        t.check(dep in services, `${s} depends on ${dep}, which is not a service`);
        const cond = how?.condition;
        if (oneShot.has(dep)) {
            t.check(cond === 'service_completed_successfully', `${s} waits for one-shot ${dep} with '${cond}', want service_completed_successfully`);
        } else {
            t.check(cond === 'service_healthy', `${s} waits for ${dep} with '${cond}', want service_healthy`);
            t.check(healthy(dep), `${s} waits for ${dep} to be healthy, but ${dep} has no health check`);
        }
    }
    if (!oneShot.has(s) && s !== 'postgres' && s !== 'redis') {
        t.check(healthy(s), `${s} has no health check (neither in the file nor in its image)`);
    }
}
for (const s of ['member', 'auth', 'catalog', 'order', 'payment', 'seed']) {
    const usesRedis = s !== 'seed';
    const deps = Object.keys(services[s]?.depends_on || {});
    t.check(deps.includes('postgres') || s === 'auth', `${s} does not wait for postgres`);
    t.check(deps.includes('redis') || !usesRedis, `${s} does not wait for redis`);
}
t.check(oneShot.has('keys') && role('keys') === 'keys', 'no one-shot keys service makes the secrets');
t.check(oneShot.has('seed') && role('seed') === 'seed', 'no one-shot seed service loads the demo catalogue');

// --- Hardened containers ------------------------------------------------------------------
for (const s of names.filter(agoraImage)) {
    const c = services[s];
    t.check(c.read_only === true, `${s} has a writable root filesystem`);
    t.check((c.cap_drop || []).includes('ALL'), `${s} keeps its capabilities (cap_drop: [ALL])`);
    t.check((c.security_opt || []).includes('no-new-privileges:true'), `${s} lacks no-new-privileges`);
    t.check(!c.user || !/^(0|root)(:|$)/.test(String(c.user)), `${s} runs as root`);
    t.check(!c.privileged, `${s} is privileged`);
    const target = c.build?.target;
    t.check(target && stages.has(target), `${s} builds target '${target}', which deploy/Dockerfile does not have`);
    t.check(stages.get(target)?.lines.some((l) => /^USER 10001(:10001)?$/.test(l)), `${s}'s image stage does not drop to USER 10001`);
    t.check(c.build?.dockerfile === 'deploy/Dockerfile', `${s} is not built from deploy/Dockerfile`);
    t.check(path.resolve(c.build?.context || '') === path.resolve(src), `${s}'s build context is not the repository root`);
}
for (const s of names.filter((n) => !agoraImage(n))) {
    t.check((services[s].security_opt || []).includes('no-new-privileges:true'), `${s} lacks no-new-privileges`);
}
for (const s of SERVICES) {
    t.check(names.some((n) => role(n) === s), `no compose service runs ${s}`);
}

// --- Secrets: every @{name} is a file the keys role makes -------------------------------------
const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-keys-'));
try {
    const run = (env) =>
        execFileSync(path.join(src, 'deploy/entrypoint'), ['keys'], {
            encoding: 'utf8',
            env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, KEYS_DIR: keysDir, ...env },
        });
    const first = run({});
    const made = new Set(fs.readdirSync(keysDir));
    const before = new Map([...made].map((f) => [f, fs.readFileSync(path.join(keysDir, f), 'utf8')]));
    const second = run({});
    t.check(/made /.test(first) && /none made/.test(second), `the keys role is not idempotent: first '${first.trim()}', then '${second.trim()}'`);
    for (const [f, v] of before) {
        t.check(fs.readFileSync(path.join(keysDir, f), 'utf8') === v, `the keys role's second run changed ${f}`);
    }
    t.check((fs.statSync(keysDir).mode & 0o777) === 0o711, 'the keys folder is not 0711 (searchable, not listable)');
    for (const f of made) {
        const mode = fs.statSync(path.join(keysDir, f)).mode & 0o777;
        const shared = ['postgres-password', 'redis-password', 'redis.conf', 'jwt-ed25519.pub.pem'].includes(f);
        t.check(mode === (shared ? 0o644 : 0o600), `keys/${f} has mode ${mode.toString(8)}, want ${shared ? '644' : '600'}`);
    }
    t.check(fs.readFileSync(path.join(keysDir, 'redis.conf'), 'utf8') === `requirepass ${fs.readFileSync(path.join(keysDir, 'redis-password'), 'utf8')}\n`,
        'redis.conf does not hold requirepass with redis-password');
    const refs = new Set();
    for (const s of names) {
        for (const [k, v] of Object.entries(services[s].environment || {})) {
            for (const m of String(v ?? '').matchAll(/@\{([^}]*)\}/g)) {
                refs.add(m[1]);
                t.check(made.has(m[1]), `${s} ${k} names @{${m[1]}}, which the keys role does not make`);
            }
        }
    }
    for (const f of ['postgres-password', 'redis-password', 'internal-token', 'client-web', 'psp-api-key', 'psp-webhook-secret', 'web-csrf-secret', 'admin-password']) {
        t.check(refs.has(f) || f === 'postgres-password', `no service uses @{${f}}`);
    }
    t.check(/postgres-password$/.test(services.postgres?.environment?.POSTGRES_PASSWORD_FILE || ''), 'postgres does not take its password from the keys volume');
    // The entry point puts the files in place of the names, and refuses a missing one.
    const ep = (env) =>
        execFileSync(path.join(src, 'deploy/entrypoint'), ['sh', '-c', 'printf %s "$AGORA_X"'], {
            encoding: 'utf8',
            env: { PATH: process.env.PATH, KEYS_DIR: keysDir, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
    const pw = fs.readFileSync(path.join(keysDir, 'postgres-password'), 'utf8');
    t.check(ep({ AGORA_X: 'postgresql://agora:@{postgres-password}@postgres:5432/member' }) === `postgresql://agora:${pw}@postgres:5432/member`,
        'the entry point does not put a key in place of @{postgres-password}');
    t.check(ep({ AGORA_X: 'a@b' }) === 'a@b', 'the entry point changed a value without @{…}');
    let refused = '';
    try {
        ep({ AGORA_X: '@{no-such-key}' });
    } catch (e) {
        refused = String(e.stderr);
    }
    t.check(/no-such-key.*missing/.test(refused), `the entry point did not refuse a missing key: '${refused.trim()}'`);
} finally {
    fs.rmSync(keysDir, { recursive: true, force: true });
}

// --- Addresses: what each service is told points at a service here, on its port -------------
const tables = new Map(SERVICES.map((s) => [s, configTable(binDir, s)]));
const portOf = new Map(SERVICES.map((s) => [s, Number(tables.get(s).get(`AGORA_${s.toUpperCase().replace(/-/g, '_')}_PORT`))]));
portOf.set('gateway', 8000);
portOf.set('postgres', 5432);
portOf.set('redis', 6379);
const aliases = new Map();
for (const s of names) {
    const n = services[s].networks;
    if (n && !Array.isArray(n)) {
        for (const net of Object.values(n)) for (const a of net?.aliases || []) aliases.set(a, s);
    }
}
const hostService = (h) => (h in services ? h : aliases.get(h));
for (const s of names) {
    const env = services[s].environment || {};
    for (const [k, v] of Object.entries(env)) {
        if (k === 'AGORA_PUBLIC_URL') continue; // the browser's address of the shop
        for (const m of String(v ?? '').matchAll(/(?:https?|postgresql|redis):\/\/(?:[^@/\s]*@)?([a-z0-9.-]+):(\d+)/g)) {
            const target = hostService(m[1]);
            t.check(target, `${s} ${k} points at '${m[1]}', which is no service or alias of the file`);
            if (target) {
                t.check(portOf.get(target) === Number(m[2]), `${s} ${k} calls ${target} on port ${m[2]}, but it listens on ${portOf.get(target)}`);
                const shared = netsOf(s).filter((net) => netsOf(target).includes(net));
                t.check(shared.length > 0, `${s} ${k} calls ${target}, but they share no network`);
            }
        }
    }
}
// The gateway's upstream hosts are the services of gateway/routes.
const routes = fs.readFileSync(path.join(src, 'gateway/routes'), 'utf8');
for (const m of routes.matchAll(/^upstream\s+(\S+)\s+(AGORA_[A-Z0-9_]+)_PORT\s*$/gm)) {
    const host = services.gateway?.environment?.[`${m[2]}_HOST`];
    t.check(host === m[1], `the gateway's ${m[2]}_HOST is '${host}', want the service ${m[1]}`);
}
// Every variable whose default only makes sense on one machine (the loopback, a path in the
// repository) or that has none is given to the container, by the file or by its image.
for (const s of names) {
    const r = role(s) === 'seed' ? 'catalog' : role(s);
    if (!tables.has(r)) continue;
    const image = stages.get(services[s].build?.target)?.env || new Map();
    for (const [name, def] of tables.get(r)) {
        if (def !== '(required)' && !machineLocal(name, def)) continue;
        if (r === 'catalog' && role(s) === 'seed' && /_(PORT|BIND|REDIS_URL)$/.test(name)) continue; // seed uses the database only
        const given = name in (services[s].environment || {}) || image.has(name);
        t.check(given, `${s} (${r}) is not given ${name} (default '${def}' does not fit a container)`);
    }
}

t.finish(`${names.length} services resolved by ${tool}`);
