// The environment variables that deploy/ names (compose, .env.example, the Dockerfile, the
// entry point, the Kubernetes manifests as kustomize renders them) are the ones the services'
// config tables and the gateway's render script define: a typo would be ignored in silence.
// .env.example lists exactly the variables compose reads, with compose's own defaults; and in
// compose and Kubernetes alike, each container is given every variable its service requires or
// whose default only fits one machine (the loopback, a path of the repository).
//   usage: node env_names.mjs SOURCE_DIR BIN_DIR
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Checks, SERVICES, agoraNames, configTable, definedNames, dockerStages, machineLocal, read } from './deploy_lib.mjs';

const [src, binDir] = process.argv.slice(2);
if (!src || !binDir) {
    console.error('usage: node env_names.mjs SOURCE_DIR BIN_DIR');
    process.exit(2);
}
const t = new Checks('env_names');
const defined = definedNames(src, binDir);
const tables = new Map(SERVICES.map((s) => [s, configTable(binDir, s)]));
const stages = dockerStages(src);

// kubectl kustomize DIR: the rendered documents.
function kustomize(rel) {
    const r = spawnSync('kubectl', ['kustomize', path.join(src, rel)], { encoding: 'utf8' });
    if (r.error) {
        console.error(`env_names: kubectl with kustomize is needed to render deploy/k8s (${r.error.code}); it is on the machine image (Debian's kubernetes-client conflicts with it)`);
        process.exit(1);
    }
    if (r.status !== 0) {
        t.check(false, `kubectl kustomize ${rel} failed: ${r.stderr.trim()}`);
        return { text: '', docs: [] };
    }
    return { text: r.stdout, docs: YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) };
}

function walk(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

// --- Every AGORA_* name that deploy/ mentions is read by something ---------------------------
const sources = new Map();
for (const rel of ['deploy/docker-compose.yml', 'deploy/.env.example', 'deploy/Dockerfile', 'deploy/entrypoint']) {
    sources.set(rel, read(src, rel));
}
for (const f of walk(path.join(src, 'deploy/k8s')).concat(walk(path.join(src, 'deploy/postgres')))) {
    sources.set(path.relative(src, f), fs.readFileSync(f, 'utf8'));
}
const rendered = { base: kustomize('deploy/k8s/base'), dev: kustomize('deploy/k8s/overlays/dev') };
sources.set('kubectl kustomize deploy/k8s/base', rendered.base.text);
sources.set('kubectl kustomize deploy/k8s/overlays/dev', rendered.dev.text);
let named = 0;
for (const [where, text] of sources) {
    for (const n of agoraNames(text)) {
        named++;
        t.check(defined.has(n), `${where} names ${n}, which no service reads (a typo?)`);
    }
}
t.check(named > 50, `deploy/ names only ${named} variables; is something not read?`);

// --- .env.example is what compose reads, with compose's defaults ------------------------------
const compose = read(src, 'deploy/docker-compose.yml').replace(/^\s*#.*$/gm, '');
const interpolated = new Map(); // name -> default ('' when none)
// ${X}, ${X:-default}; a default may hold @{key} (web:@{client-web}).
for (const m of compose.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^{}]|\{[^{}]*\})*))?\}/g)) {
    interpolated.set(m[1], m[2] ?? '');
}
const example = new Map();
for (const line of read(src, 'deploy/.env.example').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) {
        t.check(!example.has(m[1]), `.env.example sets ${m[1]} twice`);
        example.set(m[1], m[2]);
    }
}
for (const [n, def] of interpolated) {
    t.check(example.has(n), `compose reads \${${n}}, which .env.example does not list`);
    if (example.has(n)) {
        const secret = def.includes('@{');
        const want = secret ? '' : def;
        t.check(example.get(n) === want, `.env.example has ${n}=${example.get(n)}, but compose's default is '${want}'${secret ? ' (a generated secret: leave it empty)' : ''}`);
    }
}
for (const n of example.keys()) {
    t.check(interpolated.has(n), `.env.example sets ${n}, which compose never reads (it would be ignored)`);
}
// Non-AGORA names are compose's own settings; they must not look like the services' ones.
for (const n of interpolated.keys()) {
    t.check(n.startsWith('AGORA_') ? defined.has(n) : !/^AGORA/i.test(n), `compose reads ${n}`);
}

// --- Each container gets what its service cannot do without -----------------------------------
// needs(role, given, where): the role's required and machine-local variables are all given.
function needs(role, given, where) {
    const table = role === 'seed' ? tables.get('catalog') : tables.get(role);
    for (const [name, def] of table) {
        if (def !== '(required)' && !machineLocal(name, def)) continue;
        if (role === 'seed' && /_(PORT|BIND|REDIS_URL)$/.test(name)) continue; // seed uses the database only
        t.check(given.has(name), `${where} (${role}) is not given ${name} (default '${def}' does not fit a container)`);
    }
}
const imageEnv = (stage) => new Set(stages.get(stage)?.env.keys() || []);
const routes = read(src, 'gateway/routes');
const upstreams = [...routes.matchAll(/^upstream\s+(\S+)\s+(AGORA_[A-Z0-9_]+)_PORT\s*$/gm)].map((m) => [m[1], `${m[2]}_HOST`]);

for (const [overlay, { docs }] of Object.entries(rendered)) {
    const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data || {}]));
    let containers = 0;
    for (const d of docs) {
        const spec = d.spec?.template?.spec ?? d.spec?.jobTemplate?.spec?.template?.spec;
        if (!spec || !['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet'].includes(d.kind)) continue;
        for (const c of spec.containers || []) {
            const image = c.image || '';
            if (!/^agora\//.test(image)) continue;
            containers++;
            const given = new Set((c.env || []).map((e) => e.name));
            const values = new Map((c.env || []).filter((e) => 'value' in e).map((e) => [e.name, e.value]));
            for (const ef of c.envFrom || []) {
                const cm = ef.configMapRef && configMaps.get(ef.configMapRef.name);
                t.check(!ef.configMapRef || cm, `${overlay} ${d.kind}/${d.metadata.name}: envFrom names ConfigMap ${ef.configMapRef?.name}, which is not rendered`);
                for (const [k, v] of Object.entries(cm || {})) {
                    given.add(k);
                    if (!values.has(k)) values.set(k, v);
                }
            }
            const where = `${overlay} ${d.kind}/${d.metadata.name}`;
            if (/^agora\/gateway(:|$)/.test(image)) {
                for (const n of imageEnv('gateway')) given.add(n);
                for (const [svc, host] of upstreams) {
                    t.check(values.get(host) === svc, `${where}: ${host} is '${values.get(host)}', want the Service ${svc}`);
                }
                t.check(values.get('AGORA_GATEWAY_BIND') === '0.0.0.0' || imageEnv('gateway').has('AGORA_GATEWAY_BIND'), `${where}: the gateway listens on the loopback only`);
                continue;
            }
            const role = (c.args || c.command || [])[0];
            t.check(SERVICES.includes(role) || role === 'seed', `${where}: agora/agora with role '${role}', which is no service`);
            if (!SERVICES.includes(role) && role !== 'seed') continue;
            for (const n of imageEnv('agora')) given.add(n);
            needs(role, given, where);
        }
    }
    t.check(containers >= (overlay === 'dev' ? 9 : 7), `${overlay}: only ${containers} Agora containers rendered`);
}

// The same for compose, whose services say their role in 'command'.
const doc = YAML.parse(read(src, 'deploy/docker-compose.yml'), { merge: true });
for (const [name, s] of Object.entries(doc.services)) {
    const role = (s.command || [])[0];
    if (!SERVICES.includes(role) && role !== 'seed') continue;
    const given = new Set([...Object.keys(s.environment || {}), ...imageEnv(s.build?.target)]);
    needs(role, given, `compose ${name}`);
}

t.finish(`${named} mentions of ${defined.size} defined variables across ${sources.size} files and renders`);
