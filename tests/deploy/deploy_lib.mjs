// What the deploy tests share: the services' configuration tables, the compose file as
// docker-compose resolves it, the Dockerfile's stages, and a list of failures.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

// The C services of the agora/agora image, by the role the container is given.
export const SERVICES = ['web', 'auth', 'member', 'catalog', 'order', 'payment', 'psp-sandbox'];

export class Checks {
    constructor(name) {
        this.name = name;
        this.failed = [];
        this.passed = 0;
    }
    check(ok, what) {
        if (ok) {
            this.passed++;
        } else {
            this.failed.push(what);
        }
        return ok;
    }
    // Prints the failures (or the summary) and exits 1 when any rule failed.
    finish(summary) {
        for (const f of this.failed) {
            console.error(`${this.name}: FAIL ${f}`);
        }
        if (this.failed.length > 0) {
            console.error(`${this.name}: ${this.failed.length} of ${this.failed.length + this.passed} checks failed`);
            process.exit(1);
        }
        console.log(`${this.name}: ${this.passed} checks passed; ${summary}`);
    }
}

// binary's --config-help rows: Map name -> default ('(required)', '(empty)' or the value).
export function configTable(binDir, binary) {
    const out = execFileSync(path.join(binDir, binary), ['--config-help'], { encoding: 'utf8' });
    const vars = new Map();
    for (const line of out.split('\n')) {
        const m = /^\| `(AGORA_[A-Z0-9_]+)` \| (.*?) \| .* \|$/.exec(line);
        if (m) {
            vars.set(m[1], m[2].replace(/^`|`$/g, ''));
        }
    }
    if (vars.size === 0) {
        throw new Error(`${binary} --config-help printed no variables`);
    }
    return vars;
}

// Every variable any part reads: the services' tables and the gateway's render script.
export function definedNames(src, binDir) {
    const names = new Map(); // name -> [who reads it]
    const add = (n, who) => names.set(n, [...(names.get(n) || []), who]);
    for (const svc of SERVICES) {
        for (const n of configTable(binDir, svc).keys()) add(n, svc);
    }
    const gw = execFileSync(path.join(src, 'gateway/render'), ['--vars'], { encoding: 'utf8' });
    for (const n of gw.split('\n').filter(Boolean)) add(n, 'gateway');
    return names;
}

// The compose file as docker-compose (Debian's package) or docker compose resolves it, with
// the given extra environment; null and a message when neither tool is there.
export function composeConfig(src, env = {}) {
    const file = path.join(src, 'deploy/docker-compose.yml');
    const tries = [['docker-compose', ['-f', file, 'config']], ['docker', ['compose', '-f', file, 'config']]];
    let why = '';
    for (const [cmd, args] of tries) {
        const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
        if (r.error) {
            why += `${cmd}: ${r.error.code}; `;
            continue;
        }
        if (r.status !== 0) {
            why += `${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}; `;
            continue;
        }
        return { doc: YAML.parse(r.stdout), tool: cmd, why: '' };
    }
    return { doc: null, tool: null, why };
}

// The Dockerfile's stages: name -> { from, env: Map, lines: [] }.
export function dockerStages(src) {
    const text = fs.readFileSync(path.join(src, 'deploy/Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
    const stages = new Map();
    let cur = null;
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        const from = /^FROM\s+(\S+)\s+AS\s+(\S+)$/i.exec(line);
        if (from) {
            cur = { from: from[1], env: new Map(), lines: [] };
            stages.set(from[2], cur);
            continue;
        }
        if (!cur || line === '' || line.startsWith('#')) continue;
        cur.lines.push(line);
        const env = /^ENV\s+(.*)$/.exec(line);
        if (env) {
            for (const m of env[1].matchAll(/([A-Z][A-Z0-9_]*)=(\S*)/g)) cur.env.set(m[1], m[2]);
        }
    }
    return stages;
}

// The AGORA_* names a text mentions.
export function agoraNames(text) {
    return new Set([...text.matchAll(/\bAGORA_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));
}

// Defaults that only make sense on one machine: the loopback, or a path relative to the
// repository. A container must be given its own value for each of them.
export function machineLocal(name, def) {
    if (/127\.0\.0\.1|localhost/.test(def)) return true;
    return /_(FILE|DIR)$/.test(name) && def !== '(empty)' && !def.startsWith('/');
}

// A volume entry of either syntax (docker-compose 1 prints 'src:target[:ro]', 2 objects).
export function volumeEntry(v) {
    if (typeof v === 'object') return v;
    const [source, target] = String(v).split(':');
    return { source, target, type: source.startsWith('/') || source.startsWith('.') ? 'bind' : 'volume' };
}

// A port entry of either syntax: { host_ip, published, target }.
export function portEntry(p) {
    if (typeof p === 'object') return { host_ip: p.host_ip || '', published: String(p.published), target: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    return {
        host_ip: parts.length === 3 ? parts[0] : '',
        published: parts.length >= 2 ? parts[parts.length - 2] : '',
        target: Number(parts[parts.length - 1]),
    };
}

export function read(src, rel) {
    return fs.readFileSync(path.join(src, rel), 'utf8');
}
