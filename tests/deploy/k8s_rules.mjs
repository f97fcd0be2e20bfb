// The rules of the Kubernetes deployment (deploy/k8s), checked on what kustomize renders:
//
//   node tests/deploy/k8s_rules.mjs SOURCE_DIR
//
// renders deploy/k8s/base and deploy/k8s/overlays/dev with `kubectl kustomize` (offline; no
// cluster), and checks every object against the rules below; then runs deploy/k8s/make-secrets
// and checks that its Secret holds every key the manifests refer to. Each failed rule prints
// one line naming the object; the exit status is 1 if any failed. Last, each rule is shown to
// be able to fail: a list of small breakages of the rendered objects (a probe dropped, a
// NodePort added…) must each be caught, or that is a failure too.
//
// Plain Node ESM, no test framework; it runs on Node 18 (Debian 12's) and later. It needs the
// npm package yaml (package.json's devDependencies) and kubectl 1.27 or later (kustomize v5).

import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync, symlinkSync }
    from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

let YAML;
try {
    ({ default: YAML } = await import('yaml'));
} catch (err) {
    console.error(`k8s_rules: cannot load the npm package yaml (run scripts/bootstrap, or npm ci ` +
                  `in the repository root): ${err.message}`);
    process.exit(1);
}

if (process.argv.length !== 3) {
    console.error('usage: node tests/deploy/k8s_rules.mjs SOURCE_DIR');
    process.exit(2);
}
const SRC = resolve(process.argv[2]);

// --- The contract (deploy/k8s/README.md, README "Deploy") -----------------------------------

/** The Services of the base, and those the dev overlay adds. */
const BASE_SERVICES = ['web', 'gateway', 'auth', 'member', 'catalog', 'order', 'payment'];
const DEV_SERVICES = [...BASE_SERVICES, 'psp-sandbox', 'postgres', 'redis'];
/** Each server's port. */
const PORTS = {
    web: 3000, gateway: 8000, auth: 4000, member: 5000, catalog: 5100, order: 5200,
    payment: 5300, 'psp-sandbox': 5900, postgres: 5432, redis: 6379,
};
/** Who may call each server: '*' = anyone, also from outside the namespace (web, gateway). */
const CALLERS = {
    web: '*',
    gateway: '*',
    auth: ['gateway', 'web'],
    member: ['gateway', 'auth', 'order'],
    catalog: ['gateway', 'order'],
    order: ['gateway'],
    payment: ['gateway', 'order'],
    'psp-sandbox': ['payment'],
    postgres: ['member', 'catalog', 'order', 'payment', 'catalog-seed'],
    redis: ['auth', 'member', 'catalog', 'order', 'payment'],
};
/** The keys of agora-secrets each workload may read, with the variable each goes into. */
const SECRET_ENV = {
    web: { 'web-client-key': 'AGORA_WEB_CLIENT_KEY', 'web-csrf-secret': 'AGORA_WEB_CSRF_SECRET' },
    gateway: {},
    auth: {
        'internal-token': 'AGORA_INTERNAL_TOKEN', 'auth-clients': 'AGORA_AUTH_CLIENTS',
        'redis-url': 'AGORA_REDIS_URL',
    },
    member: {
        'internal-token': 'AGORA_INTERNAL_TOKEN', 'redis-url': 'AGORA_REDIS_URL',
        'member-database-url': 'AGORA_MEMBER_DATABASE_URL',
        'admin-password': 'AGORA_MEMBER_ADMIN_PASSWORD',
    },
    catalog: {
        'internal-token': 'AGORA_INTERNAL_TOKEN', 'redis-url': 'AGORA_REDIS_URL',
        'catalog-database-url': 'AGORA_CATALOG_DATABASE_URL',
    },
    order: {
        'internal-token': 'AGORA_INTERNAL_TOKEN', 'redis-url': 'AGORA_REDIS_URL',
        'order-database-url': 'AGORA_ORDER_DATABASE_URL',
    },
    payment: {
        'internal-token': 'AGORA_INTERNAL_TOKEN', 'redis-url': 'AGORA_REDIS_URL',
        'payment-database-url': 'AGORA_PAYMENT_DATABASE_URL',
        'psp-api-key': 'AGORA_PSP_API_KEY', 'psp-webhook-secret': 'AGORA_PSP_WEBHOOK_SECRET',
    },
    'psp-sandbox': {
        'psp-api-key': 'AGORA_PSP_API_KEY', 'psp-webhook-secret': 'AGORA_PSP_WEBHOOK_SECRET',
    },
    'catalog-seed': { 'catalog-database-url': 'AGORA_CATALOG_DATABASE_URL' },
    postgres: { 'postgres-password': 'POSTGRES_PASSWORD' },
    redis: {},
};
/** The key files of agora-secrets each workload mounts, with the variable naming the file. */
const PRIVATE_KEY = 'jwt-ed25519.pem';
const PUBLIC_KEY = 'jwt-ed25519.pub.pem';
const KEY_FILES = {
    auth: { [PRIVATE_KEY]: 'AGORA_JWT_PRIVATE_KEY_FILE' },
    web: { [PUBLIC_KEY]: 'AGORA_JWT_PUBLIC_KEY_FILE' },
    member: { [PUBLIC_KEY]: 'AGORA_JWT_PUBLIC_KEY_FILE' },
    catalog: { [PUBLIC_KEY]: 'AGORA_JWT_PUBLIC_KEY_FILE' },
    order: { [PUBLIC_KEY]: 'AGORA_JWT_PUBLIC_KEY_FILE' },
    payment: { [PUBLIC_KEY]: 'AGORA_JWT_PUBLIC_KEY_FILE' },
};
const SECRET_NAME = 'agora-secrets';
const NAME_LABEL = 'app.kubernetes.io/name';
/** What differs between the two renders. */
const RENDERS = {
    base: {
        dir: 'deploy/k8s/base', services: BASE_SERVICES, replicas: 2, hpa: [2, 10],
        pdb: 'minAvailable', ingress: true, publicUrl: 'https://shop.example.com', devVars: false,
    },
    dev: {
        dir: 'deploy/k8s/overlays/dev', services: DEV_SERVICES, replicas: 1, hpa: [1, 2],
        pdb: 'maxUnavailable', ingress: false, publicUrl: 'http://localhost:3000', devVars: true,
    },
};
/** Variables only the dev overlay sets. */
const DEV_VARS = {
    AGORA_PSP_WEBHOOK_URLS: 'http://gateway:8000/api/payments/webhooks/sandbox',
    AGORA_PAYMENT_PROVIDER: 'sandbox',
};

// --- Rendering --------------------------------------------------------------------------------

function render(dir) {
    const r = spawnSync('kubectl', ['kustomize', join(SRC, dir)], { encoding: 'utf8' });
    if (r.error && r.error.code === 'ENOENT') {
        console.error('k8s_rules: kubectl with kustomize is needed: install kubectl 1.27 or ' +
                      'later (https://kubernetes.io/docs/tasks/tools/; Debian: the kubernetes ' +
                      'apt repository\'s kubectl) and put it on PATH; no cluster is used');
        process.exit(1);
    }
    if (r.error || r.status !== 0) {
        console.error(`k8s_rules: kubectl kustomize ${dir} failed: ` +
                      `${r.error ? r.error.message : r.stderr.trim()}`);
        process.exit(1);
    }
    return parseDocs(r.stdout, `kubectl kustomize ${dir}`);
}

function parseDocs(text, what) {
    const docs = [];
    for (const d of YAML.parseAllDocuments(text)) {
        if (d.errors.length > 0) {
            console.error(`k8s_rules: ${what}: bad YAML: ${d.errors[0].message}`);
            process.exit(1);
        }
        const o = d.toJS();
        if (o !== null && o !== undefined) {
            docs.push(o);
        }
    }
    return docs;
}

// --- Helpers ----------------------------------------------------------------------------------

const idOf = (o) => `${o.kind}/${o.metadata?.name}`;
const byKind = (docs, kind) => docs.filter((o) => o.kind === kind);
const isAgoraImage = (image) => typeof image === 'string' && image.startsWith('agora/');

/** The pod template of a workload object, or null. */
function podTemplate(o) {
    switch (o.kind) {
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
        return o.spec?.template ?? null;
    case 'CronJob':
        return o.spec?.jobTemplate?.spec?.template ?? null;
    case 'Pod':
        return { metadata: o.metadata, spec: o.spec };
    default:
        return null;
    }
}

/** Every workload with its pod template: { o, id, name, labels, spec }. */
function workloads(docs) {
    const out = [];
    for (const o of docs) {
        const t = podTemplate(o);
        if (t) {
            out.push({ o, id: idOf(o), name: o.metadata?.name, labels: t.metadata?.labels ?? {},
                       spec: t.spec ?? {} });
        }
    }
    return out;
}

const containersOf = (spec) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

/** Whether a label selector (matchLabels, matchExpressions) selects 'labels'. */
function selects(sel, labels) {
    for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of sel?.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const ok = { In: has && (e.values ?? []).includes(labels[e.key]),
                     NotIn: !has || !(e.values ?? []).includes(labels[e.key]),
                     Exists: has, DoesNotExist: !has }[e.operator];
        if (!ok) {
            return false;
        }
    }
    return true;
}

const isEmptySelector = (sel) => !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 &&
                                          (sel.matchExpressions ?? []).length === 0);

/** Whether a container declares a port (by name or number). */
const declaresPort = (c, port) => (c.ports ?? []).some((p) => p.name === port ||
                                                        p.containerPort === port);

/** The container port a port reference (name or number) means, or undefined. */
function resolvePort(c, port) {
    const p = (c.ports ?? []).find((x) => x.name === port || x.containerPort === port);
    return p?.containerPort;
}

/** The literal environment of a container: its envFrom ConfigMaps, then env values. */
function literalEnv(c, docs) {
    const env = {};
    for (const f of c.envFrom ?? []) {
        const cm = f.configMapRef &&
            docs.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === f.configMapRef.name);
        Object.assign(env, cm?.data ?? {});
    }
    for (const e of c.env ?? []) {
        if (e.value !== undefined) {
            env[e.name] = e.value;
        }
    }
    return env;
}

/** CPU in cores and memory in bytes, from Kubernetes quantities; NaN when unreadable. */
function quantity(q, kind) {
    const s = String(q);
    if (kind === 'cpu') {
        const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(s);
        return m ? Number(m[1]) / (m[2] ? 1000 : 1) : NaN;
    }
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(s);
    const mult = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9,
                   T: 1e12 };
    return m ? Number(m[1]) * (m[2] ? mult[m[2]] : 1) : NaN;
}

// --- The rules --------------------------------------------------------------------------------

/** Checks one render; returns the failures, one line each. */
function checkRender(rname, docs) {
    const R = RENDERS[rname];
    const fails = [];
    const fail = (what, msg) => fails.push(`[${rname}] ${what}: ${msg}`);
    const wls = workloads(docs);
    const servers = wls.filter((w) => w.o.kind === 'Deployment' || w.o.kind === 'StatefulSet');
    const secretDocs = byKind(docs, 'Secret');

    // Pods: each workload is one of the known ones, labelled with its name.
    for (const w of wls) {
        if (!(w.name in SECRET_ENV)) {
            fail(w.id, 'is not a workload this test knows (add it to its tables)');
        }
        if (w.labels[NAME_LABEL] !== w.name) {
            fail(w.id, `its pods are not labelled ${NAME_LABEL}: ${w.name}`);
        }
    }

    // Pods: non-root, no privilege escalation, capabilities dropped, read-only root for Agora,
    // requests and limits, no host namespaces, no service account token, seccomp.
    for (const w of wls) {
        const ps = w.spec;
        const psc = ps.securityContext ?? {};
        if (ps.automountServiceAccountToken !== false) {
            fail(w.id, 'automountServiceAccountToken is not false');
        }
        for (const h of ['hostNetwork', 'hostPID', 'hostIPC']) {
            if (ps[h]) {
                fail(w.id, `${h} is on`);
            }
        }
        for (const v of ps.volumes ?? []) {
            if (v.hostPath) {
                fail(w.id, `volume ${v.name} is a hostPath`);
            }
        }
        for (const c of containersOf(ps)) {
            const what = `${w.id} container ${c.name}`;
            const sc = c.securityContext ?? {};
            const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
            const uid = sc.runAsUser ?? psc.runAsUser;
            if (nonRoot !== true) {
                fail(what, 'runAsNonRoot is not true (pod or container)');
            }
            if (typeof uid !== 'number' || uid === 0) {
                fail(what, `runAsUser is ${uid === undefined ? 'unset' : uid}, not a user other ` +
                           'than root');
            }
            if (sc.allowPrivilegeEscalation !== false) {
                fail(what, 'allowPrivilegeEscalation is not false');
            }
            if (sc.privileged) {
                fail(what, 'is privileged');
            }
            if (!(sc.capabilities?.drop ?? []).includes('ALL') ||
                (sc.capabilities?.add ?? []).length > 0) {
                fail(what, 'capabilities: drop is not [ALL], or some are added');
            }
            if (isAgoraImage(c.image) && sc.readOnlyRootFilesystem !== true) {
                fail(what, 'readOnlyRootFilesystem is not true (an Agora image)');
            }
            if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== 'RuntimeDefault') {
                fail(what, 'seccompProfile is not RuntimeDefault');
            }
            for (const r of ['cpu', 'memory']) {
                const req = c.resources?.requests?.[r];
                const lim = c.resources?.limits?.[r];
                if (req === undefined || lim === undefined) {
                    fail(what, `resources: ${r} needs requests and limits`);
                } else if (!(quantity(req, r) <= quantity(lim, r))) {
                    fail(what, `resources: ${r} request ${req} is over its limit ${lim}`);
                }
            }
        }
    }

    // Agora containers: the image's entry point with the workload's role as args, a tag, the
    // ConfigMap agora-config.
    for (const w of wls) {
        for (const c of containersOf(w.spec).filter((x) => isAgoraImage(x.image))) {
            const what = `${w.id} container ${c.name}`;
            const [image, tag] = c.image.split(':');
            if (!tag) {
                fail(what, `image ${c.image} has no tag (kustomize images: sets it)`);
            }
            if (c.command !== undefined) {
                fail(what, 'sets command: the image\'s entry point (agora-entrypoint) must run');
            }
            const role = w.name === 'catalog-seed' ? ['seed'] : [w.name];
            if (image === 'agora/gateway') {
                if (c.args !== undefined) {
                    fail(what, 'the gateway takes no args');
                }
            } else if (image !== 'agora/agora') {
                fail(what, `image ${c.image} is neither agora/agora nor agora/gateway`);
            } else if (JSON.stringify(c.args) !== JSON.stringify(role)) {
                fail(what, `args ${JSON.stringify(c.args)} are not ${JSON.stringify(role)}`);
            }
            const cms = (c.envFrom ?? []).filter((f) => f.configMapRef)
                .map((f) => f.configMapRef.name);
            if (!cms.some((n) => n.startsWith('agora-config'))) {
                fail(what, 'has no envFrom configMapRef agora-config');
            }
            for (const n of cms) {
                if (!docs.some((o) => o.kind === 'ConfigMap' && o.metadata?.name === n)) {
                    fail(what, `envFrom names ConfigMap ${n}, which is not in the output`);
                }
            }
        }
    }

    // Probes: readiness and liveness on every server, on a port the container declares; the
    // Agora ones GET /readyz and /healthz (the gateway /healthz for both).
    for (const w of servers) {
        for (const c of w.spec.containers ?? []) {
            const what = `${w.id} container ${c.name}`;
            for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
                const p = c[kind];
                if (!p) {
                    if (kind !== 'startupProbe') {
                        fail(what, `has no ${kind}`);
                    }
                    continue;
                }
                const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
                if (port === undefined && !p.exec) {
                    fail(what, `${kind} has neither a port nor exec`);
                } else if (port !== undefined && !declaresPort(c, port)) {
                    fail(what, `${kind} is on port ${port}, which the container does not declare`);
                }
                if (isAgoraImage(c.image) && kind !== 'startupProbe') {
                    const gateway = c.image.startsWith('agora/gateway');
                    const want = kind === 'livenessProbe' || gateway ? '/healthz' : '/readyz';
                    if (p.httpGet?.path !== want) {
                        fail(what, `${kind} is not httpGet ${want}`);
                    }
                }
            }
        }
    }

    // Services: exactly the expected ones, ClusterIP, each selecting pods that declare its
    // target port; the Ingress sends only to web and the gateway.
    const services = byKind(docs, 'Service');
    const names = services.map((s) => s.metadata.name).sort();
    if (JSON.stringify(names) !== JSON.stringify([...R.services].sort())) {
        fail('Services', `are ${names.join(', ')}; want exactly ${R.services.join(', ')}`);
    }
    for (const s of services) {
        const what = idOf(s);
        if (s.spec?.type && s.spec.type !== 'ClusterIP') {
            fail(what, `is of type ${s.spec.type}: only ClusterIP (the Ingress exposes web and ` +
                       'the gateway)');
        }
        if ((s.spec?.externalIPs ?? []).length > 0) {
            fail(what, 'has externalIPs');
        }
        const pods = wls.filter((w) => !isEmptySelector({ matchLabels: s.spec?.selector }) &&
                                       selects({ matchLabels: s.spec.selector }, w.labels));
        if (pods.length === 0) {
            fail(what, 'its selector matches no pod template');
        }
        for (const p of s.spec?.ports ?? []) {
            const target = p.targetPort ?? p.port;
            for (const w of pods) {
                const c = (w.spec.containers ?? []).find((x) => declaresPort(x, target));
                if (!c) {
                    fail(what, `targetPort ${target} is not a port of ${w.id}`);
                } else if (PORTS[s.metadata.name] !== undefined &&
                           (p.port !== PORTS[s.metadata.name] ||
                            resolvePort(c, target) !== PORTS[s.metadata.name])) {
                    fail(what, `is not on port ${PORTS[s.metadata.name]}`);
                }
            }
        }
    }
    const ingresses = byKind(docs, 'Ingress');
    const backends = new Set();
    for (const ing of ingresses) {
        const refs = [ing.spec?.defaultBackend,
                      ...(ing.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? [])
                          .map((p) => p.backend))].filter(Boolean);
        for (const b of refs) {
            const name = b.service?.name;
            backends.add(name);
            if (name !== 'web' && name !== 'gateway') {
                fail(idOf(ing), `sends to ${name ?? 'a non-Service backend'}: only web and the ` +
                                'gateway are exposed');
            }
            const svc = services.find((s) => s.metadata.name === name);
            const port = b.service?.port?.name ?? b.service?.port?.number;
            if (svc && !(svc.spec.ports ?? []).some((p) => p.name === port || p.port === port)) {
                fail(idOf(ing), `sends to port ${port} of Service ${name}, which it lacks`);
            }
        }
        const hosts = (ing.spec?.rules ?? []).map((r) => r.host);
        if (new Set(hosts).size !== hosts.length) {
            fail(idOf(ing), 'has a host twice (web and the gateway need a host each)');
        }
    }
    if (R.ingress && !(backends.has('web') && backends.has('gateway'))) {
        fail('Ingress', 'no Ingress sends to both web and the gateway');
    }
    if (!R.ingress && ingresses.length > 0) {
        fail('Ingress', 'the dev overlay has none (port-forward)');
    }

    // NetworkPolicies: a default deny; selectors that select something; only web and the
    // gateway open beyond the namespace; each server reachable by exactly its callers.
    const nps = byKind(docs, 'NetworkPolicy');
    const defaultDeny = nps.filter((np) => isEmptySelector(np.spec?.podSelector) &&
                                           (np.spec?.policyTypes ?? []).includes('Ingress') &&
                                           (np.spec?.ingress ?? []).length === 0);
    if (defaultDeny.length === 0) {
        fail('NetworkPolicy', 'no default deny (podSelector {}, policyTypes [Ingress], no rules)');
    }
    const admitsOutside = (rule) => !rule.from || rule.from.length === 0 ||
        rule.from.some((f) => f.ipBlock || f.namespaceSelector);
    for (const np of nps) {
        const what = idOf(np);
        const sel = np.spec?.podSelector;
        if (isEmptySelector(sel)) {
            if ((np.spec?.ingress ?? []).length > 0) {
                fail(what, 'selects every pod (podSelector {}) and lets some traffic in');
            }
            continue;
        }
        if (!(np.spec?.policyTypes ?? []).includes('Ingress')) {
            fail(what, 'policyTypes lacks Ingress');
        }
        const targets = wls.filter((w) => selects(sel, w.labels));
        if (targets.length === 0) {
            fail(what, 'its podSelector matches no pod template');
        }
        const open = targets.every((w) => w.name === 'web' || w.name === 'gateway');
        for (const rule of np.spec?.ingress ?? []) {
            if (admitsOutside(rule) && !open) {
                fail(what, 'admits traffic from outside the namespace (a rule with no from, an ' +
                           'ipBlock or a namespaceSelector): only web and the gateway may');
            }
            for (const f of rule.from ?? []) {
                if (f.podSelector === undefined || f.namespaceSelector) {
                    continue;
                }
                if (isEmptySelector(f.podSelector)) {
                    fail(what, 'from.podSelector {} admits every pod of the namespace: name them');
                } else if (!wls.some((w) => selects(f.podSelector, w.labels))) {
                    const labels = JSON.stringify(f.podSelector.matchLabels ?? {});
                    fail(what, `from.podSelector ${labels} matches no pod template`);
                }
            }
        }
    }
    for (const w of servers) {
        const want = CALLERS[w.name];
        if (want === undefined) {
            fail(w.id, 'is a server this test has no callers for (add it to CALLERS)');
            continue;
        }
        const allow = nps.filter((np) => !isEmptySelector(np.spec?.podSelector) &&
                                         selects(np.spec.podSelector, w.labels));
        if (allow.length === 0) {
            fail(w.id, 'is selected by no allow NetworkPolicy: nothing can reach it');
            continue;
        }
        // Who reaches each port of the server: '*' or the callers' names.
        for (const c of w.spec.containers ?? []) {
            for (const cp of c.ports ?? []) {
                let anyone = false;
                const callers = new Set();
                for (const np of allow) {
                    for (const rule of np.spec.ingress ?? []) {
                        const onPort = !rule.ports || rule.ports.length === 0 ||
                            rule.ports.some((p) => p.port === cp.containerPort ||
                                                   p.port === cp.name);
                        if (!onPort) {
                            continue;
                        }
                        if (admitsOutside(rule)) {
                            anyone = true;
                        }
                        for (const f of rule.from ?? []) {
                            if (f.podSelector && !f.namespaceSelector) {
                                wls.filter((x) => selects(f.podSelector, x.labels))
                                    .forEach((x) => callers.add(x.name));
                            }
                        }
                    }
                }
                const what = `${w.id} port ${cp.containerPort}`;
                if (want === '*') {
                    if (!anyone) {
                        fail(what, 'does not admit everyone (clients come through the ingress ' +
                                   'controller, from another namespace)');
                    }
                } else if (anyone) {
                    fail(what, 'admits everyone; only ' + want.join(', '));
                } else {
                    const got = [...callers].sort();
                    const exp = want.filter((n) => wls.some((x) => x.name === n)).sort();
                    if (JSON.stringify(got) !== JSON.stringify(exp)) {
                        fail(what, `is reachable from [${got.join(', ')}]; ` +
                                   `want [${exp.join(', ')}]`);
                    }
                }
            }
        }
    }

    // Autoscalers and disruption budgets for each base Deployment, aimed at it; none for
    // psp-sandbox (its state is in memory).
    const deployments = byKind(docs, 'Deployment');
    for (const name of BASE_SERVICES) {
        const d = deployments.find((o) => o.metadata.name === name);
        if (!d) {
            fail(`Deployment/${name}`, 'is missing');
            continue;
        }
        if (d.spec?.replicas !== R.replicas) {
            fail(idOf(d), `replicas is ${d.spec?.replicas}, not ${R.replicas}`);
        }
        const hpas = byKind(docs, 'HorizontalPodAutoscaler')
            .filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' &&
                           h.spec.scaleTargetRef.name === name);
        if (hpas.length !== 1) {
            fail(idOf(d), `has ${hpas.length} HorizontalPodAutoscalers, not 1`);
        } else {
            const h = hpas[0];
            if (h.apiVersion !== 'autoscaling/v2' || h.spec.minReplicas !== R.hpa[0] ||
                h.spec.maxReplicas !== R.hpa[1]) {
                fail(idOf(h), `wants autoscaling/v2, minReplicas ${R.hpa[0]}, ` +
                              `maxReplicas ${R.hpa[1]}`);
            }
            const cpu = (h.spec.metrics ?? []).find((m) => m.resource?.name === 'cpu');
            if (cpu?.resource?.target?.type !== 'Utilization' ||
                cpu.resource.target.averageUtilization !== 70) {
                fail(idOf(h), 'does not scale on 70% CPU utilisation');
            }
        }
        const pod = podTemplate(d).metadata?.labels ?? {};
        const pdbs = byKind(docs, 'PodDisruptionBudget')
            .filter((p) => !isEmptySelector(p.spec?.selector) && selects(p.spec.selector, pod));
        if (pdbs.length !== 1) {
            fail(idOf(d), `is covered by ${pdbs.length} PodDisruptionBudgets, not 1`);
        } else if (pdbs[0].spec[R.pdb] !== 1 ||
                   Object.keys(pdbs[0].spec).filter((k) => k !== 'selector').length !== 1) {
            fail(idOf(pdbs[0]), `wants ${R.pdb}: 1 (alone)`);
        }
    }
    for (const h of byKind(docs, 'HorizontalPodAutoscaler')) {
        const t = h.spec?.scaleTargetRef;
        if (!docs.some((o) => o.kind === t?.kind && o.metadata?.name === t?.name)) {
            fail(idOf(h), `scales ${t?.kind}/${t?.name}, which is not in the output`);
        }
        if (t?.name === 'psp-sandbox') {
            fail(idOf(h), 'psp-sandbox keeps its state in memory: it must stay one replica');
        }
    }
    for (const p of byKind(docs, 'PodDisruptionBudget')) {
        if (isEmptySelector(p.spec?.selector) ||
            !wls.some((w) => selects(p.spec.selector, w.labels))) {
            fail(idOf(p), 'its selector matches no pod template');
        }
    }

    // Secrets: none in the output; each pod reads only its keys of agora-secrets, by
    // secretKeyRef (never envFrom), and mounts only its key files.
    for (const s of secretDocs) {
        fail(idOf(s), 'a Secret is in the output: agora-secrets is made beforehand (make-secrets)');
    }
    for (const w of wls) {
        const allowed = SECRET_ENV[w.name] ?? {};
        const got = new Set();
        for (const c of containersOf(w.spec)) {
            const what = `${w.id} container ${c.name}`;
            if ((c.envFrom ?? []).some((f) => f.secretRef)) {
                fail(what, 'envFrom a Secret: take each key with secretKeyRef');
            }
            for (const e of c.env ?? []) {
                const ref = e.valueFrom?.secretKeyRef;
                if (!ref) {
                    continue;
                }
                if (ref.name !== SECRET_NAME) {
                    fail(what, `${e.name} reads Secret ${ref.name}, not ${SECRET_NAME}`);
                }
                if (!(ref.key in allowed)) {
                    fail(what, `${e.name} reads key ${ref.key}, which ${w.name} must not get`);
                } else if (allowed[ref.key] !== e.name) {
                    fail(what, `key ${ref.key} goes into ${e.name}, not ${allowed[ref.key]}`);
                }
                got.add(ref.key);
            }
        }
        for (const k of Object.keys(allowed)) {
            if (!got.has(k)) {
                fail(w.id, `does not get key ${k} (${allowed[k]})`);
            }
        }
        // Key files: secret volumes select their items; the private key is auth's alone.
        const files = KEY_FILES[w.name] ?? {};
        const mounted = new Set();
        for (const v of w.spec.volumes ?? []) {
            const sources = v.secret ? [{ secret: { name: v.secret.secretName, ...v.secret } }]
                : (v.projected?.sources ?? []).filter((s) => s.secret);
            for (const s of sources) {
                const what = `${w.id} volume ${v.name}`;
                if (s.secret.name !== SECRET_NAME) {
                    fail(what, `mounts Secret ${s.secret.name}, not ${SECRET_NAME}`);
                }
                if (!s.secret.items || s.secret.items.length === 0) {
                    fail(what, 'mounts the whole Secret (the private key with it): list items');
                    continue;
                }
                for (const it of s.secret.items) {
                    if (!(it.key in files)) {
                        fail(what, it.key === PRIVATE_KEY
                            ? `mounts the private key ${PRIVATE_KEY}: only auth may`
                            : `mounts key ${it.key}, which ${w.name} must not get`);
                        continue;
                    }
                    // Where the file lands must be where the service looks for it.
                    for (const c of containersOf(w.spec)) {
                        const m = (c.volumeMounts ?? []).find((x) => x.name === v.name);
                        if (!m) {
                            continue;
                        }
                        const path = m.subPath ? m.mountPath : `${m.mountPath}/${it.path}`;
                        const want = literalEnv(c, docs)[files[it.key]];
                        if (path !== want) {
                            fail(`${w.id} container ${c.name}`,
                                 `${it.key} is at ${path}, but ${files[it.key]} is ${want}`);
                        }
                        if (m.readOnly !== true) {
                            fail(`${w.id} container ${c.name}`,
                                 `${v.name} is not mounted readOnly`);
                        }
                        mounted.add(it.key);
                    }
                }
                if ((s.secret.defaultMode ?? 0o644) & 0o007) {
                    fail(what, 'defaultMode lets every user read the key files (0440 or less)');
                }
            }
        }
        for (const k of Object.keys(files)) {
            if (!mounted.has(k)) {
                fail(w.id, `does not mount ${k}`);
            }
        }
    }

    // The gateway: a writable /var/lib/agora and its verify cache in memory at AGORA_GATEWAY_SHM.
    const gw = wls.find((w) => w.name === 'gateway');
    const gwc = gw && (gw.spec.containers ?? []).find((c) => c.image?.startsWith('agora/gateway'));
    if (gwc) {
        const vol = (path) => {
            const m = (gwc.volumeMounts ?? []).find((x) => x.mountPath === path && !x.readOnly);
            return m && (gw.spec.volumes ?? []).find((v) => v.name === m.name);
        };
        if (!vol('/var/lib/agora')?.emptyDir) {
            fail(gw.id, 'has no writable emptyDir at /var/lib/agora (its config, pid, temp files)');
        }
        const shm = literalEnv(gwc, docs).AGORA_GATEWAY_SHM;
        const cache = shm && vol(shm)?.emptyDir;
        if (!cache || cache.medium !== 'Memory' || !cache.sizeLimit) {
            fail(gw.id, `AGORA_GATEWAY_SHM (${shm}) is not an emptyDir medium Memory with a ` +
                        'sizeLimit');
        }
    } else {
        fail('Deployment/gateway', 'has no agora/gateway container');
    }

    // agora-config: the public URL, the dev-only settings, and every URL and host naming a
    // Service of this output on its port.
    const cms = byKind(docs, 'ConfigMap').filter((o) => o.metadata.name.startsWith('agora-config'));
    if (cms.length !== 1) {
        fail('ConfigMap/agora-config', `there are ${cms.length}, not 1`);
    } else {
        const cfg = cms[0].data ?? {};
        const what = idOf(cms[0]);
        if (cfg.AGORA_PUBLIC_URL !== R.publicUrl) {
            fail(what, `AGORA_PUBLIC_URL is ${cfg.AGORA_PUBLIC_URL}, not ${R.publicUrl}`);
        }
        for (const [k, v] of Object.entries(DEV_VARS)) {
            if (R.devVars ? cfg[k] !== v : cfg[k] !== undefined) {
                fail(what, R.devVars ? `${k} is not ${v}` : `${k} is set (the dev overlay's only)`);
            }
        }
        const svcPorts = (n) => services.find((s) => s.metadata.name === n)?.spec?.ports ?? [];
        for (const [k, v] of Object.entries(cfg)) {
            if (k === 'AGORA_PUBLIC_URL' || (k === 'AGORA_PSP_SANDBOX_URL' && rname === 'base')) {
                continue; // browsers' address; the sandbox is the dev overlay's
            }
            if (/^AGORA_[A-Z_]+_HOST$/.test(k) && svcPorts(v).length === 0) {
                fail(what, `${k} names ${v}, which is not a Service here`);
            }
            if (/_URLS?$/.test(k)) {
                for (const u of v.split(',')) {
                    const m = /^https?:\/\/([^/:]+):(\d+)(\/|$)/.exec(u);
                    if (!m || !svcPorts(m[1]).some((p) => p.port === Number(m[2]))) {
                        fail(what, `${k}: ${u} is not a Service of this output on its port`);
                    }
                }
            }
        }
    }
    return fails;
}

/** Every key of agora-secrets a render refers to (secretKeyRef keys, volume items). */
function referencedKeys(docs) {
    const keys = new Set();
    for (const w of workloads(docs)) {
        for (const c of containersOf(w.spec)) {
            for (const e of c.env ?? []) {
                if (e.valueFrom?.secretKeyRef?.name === SECRET_NAME) {
                    keys.add(e.valueFrom.secretKeyRef.key);
                }
            }
        }
        for (const v of w.spec.volumes ?? []) {
            if (v.secret?.secretName === SECRET_NAME) {
                (v.secret.items ?? []).forEach((it) => keys.add(it.key));
            }
        }
    }
    return keys;
}

// --- make-secrets -----------------------------------------------------------------------------

const MAKE_SECRETS = join(SRC, 'deploy/k8s/make-secrets');
const BIN_DIRS = [join(SRC, 'build-test/bin'), join(SRC, 'build/bin')];
const findBin = (name) => BIN_DIRS.map((d) => join(d, name)).find((p) => existsSync(p));
const onPath = (name, path) => (path ?? process.env.PATH ?? '').split(delimiter)
    .some((d) => d && existsSync(join(d, name)));

function runMakeSecrets(args, env) {
    return spawnSync('bash', [MAKE_SECRETS, ...args], { encoding: 'utf8', env });
}

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * Checks a Secret document from make-secrets against the keys a render refers to; returns
 * the failures. 'dev' says which URLs to expect; 'env' holds the URLs given when not dev.
 */
function checkSecretDoc(label, docs, wantKeys, dev, env, namespace) {
    const fails = [];
    const fail = (msg) => fails.push(`[make-secrets ${label}] ${msg}`);
    if (docs.length !== 1 || docs[0].kind !== 'Secret' || docs[0].apiVersion !== 'v1') {
        fail(`printed ${docs.length} documents, not one v1 Secret`);
        return fails;
    }
    const s = docs[0];
    if (s.metadata?.name !== SECRET_NAME) {
        fail(`the Secret is named ${s.metadata?.name}, not ${SECRET_NAME}`);
    }
    if (s.metadata?.namespace !== namespace) {
        fail(`its namespace is ${s.metadata?.namespace}, not ${namespace}`);
    }
    const v = {};
    for (const [k, b] of Object.entries(s.data ?? {})) {
        v[k] = Buffer.from(String(b), 'base64').toString('utf8');
    }
    Object.assign(v, s.stringData ?? {});
    for (const k of wantKeys) {
        if (!v[k]) {
            fail(`key ${k}, which the manifests refer to, is missing or empty`);
        }
    }
    for (const k of Object.keys(v)) {
        if (!wantKeys.has(k)) {
            fail(`key ${k} is one no manifest refers to`);
        }
    }
    const random = ['internal-token', 'web-client-key', 'web-csrf-secret', 'psp-api-key',
                    'psp-webhook-secret', 'admin-password', ...(dev ? ['postgres-password'] : [])];
    for (const k of random) {
        if (v[k] !== undefined && !/^[0-9a-f]{64}$/.test(v[k])) {
            fail(`${k} is not 32 random bytes in hex`);
        }
    }
    if (v['auth-clients'] !== `web:${v['web-client-key']}`) {
        fail('auth-clients is not web:<web-client-key>');
    }
    for (const db of ['member', 'catalog', 'order', 'payment']) {
        const want = dev ? `postgresql://agora:${v['postgres-password']}@postgres:5432/${db}`
            : env[`AGORA_${db.toUpperCase()}_DATABASE_URL`];
        if (v[`${db}-database-url`] !== want) {
            fail(`${db}-database-url is not ${dev ? 'the dev PostgreSQL\'s' : 'the one given'}`);
        }
    }
    if (v['redis-url'] !== (dev ? 'redis://redis:6379/0' : env.AGORA_REDIS_URL)) {
        fail('redis-url is not the one expected');
    }
    if (!dev && v['postgres-password'] !== undefined) {
        fail('postgres-password is made without --dev (there is no PostgreSQL in the base)');
    }
    // The key pair: auth's own code (agora-token, lib/src/jwt.c) signs with the private key;
    // Node checks the signature with the public key, and the kid is its RFC 7638 thumbprint.
    const priv = v[PRIVATE_KEY] ?? '';
    const pub = v[PUBLIC_KEY] ?? '';
    if (!priv.startsWith('-----BEGIN PRIVATE KEY-----') ||
        !pub.startsWith('-----BEGIN PUBLIC KEY-----')) {
        fail('the JWT keys are not PEM PRIVATE KEY / PUBLIC KEY');
        return fails;
    }
    const token = agoraToken(priv);
    if (token.error) {
        fail(`agora-token does not take the private key: ${token.error}`);
        return fails;
    }
    const [h, p, sig] = token.jwt.split('.');
    let ok = false;
    let kid;
    try {
        const key = createPublicKey(pub);
        ok = verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'));
        const x = key.export({ format: 'jwk' }).x;
        kid = b64url(createHash('sha256')
            .update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest());
    } catch (err) {
        fail(`the public key does not load: ${err.message}`);
        return fails;
    }
    if (!ok) {
        fail('a token signed with the private key does not verify with the public key');
    }
    if (JSON.parse(Buffer.from(h, 'base64url').toString()).kid !== kid) {
        fail('the token\'s kid is not the public key\'s thumbprint (not one pair)');
    }
    return fails;
}

/** Mints a token with agora-token from a private key (PEM text): { jwt } or { error }. */
function agoraToken(pem) {
    const tool = findBin('agora-token');
    if (!tool) {
        return { error: `agora-token is not built (${BIN_DIRS.join(' or ')}; make build)` };
    }
    const dir = mkdtempSync(join(tmpdir(), 'k8s-rules-'));
    try {
        writeFileSync(join(dir, 'key.pem'), pem, { mode: 0o600 });
        const r = spawnSync(tool, [join(dir, 'key.pem'), 'k8s-rules', 'user'],
                            { encoding: 'utf8' });
        const jwt = r.stdout.trim();
        if (r.status !== 0 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt)) {
            return { error: `exit ${r.status}: ${r.stderr.trim()}` };
        }
        return { jwt };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Runs make-secrets in each mode and with each key tool there is; returns failures and notes. */
function checkMakeSecrets(baseDocs, devDocs) {
    const fails = [];
    const done = [];
    let devSecret = null;
    const PATH = [...BIN_DIRS, process.env.PATH ?? ''].join(delimiter);
    const clean = { ...process.env, PATH };
    for (const k of Object.keys(clean)) {
        if (/^AGORA_.*_URL$/.test(k)) {
            delete clean[k];
        }
    }
    const tools = [];
    if (onPath('openssl', PATH)) {
        tools.push('openssl');
    }
    if (onPath('agora-keygen', PATH)) {
        tools.push('agora-keygen');
    }
    if (tools.length === 0) {
        fails.push('[make-secrets] neither openssl nor agora-keygen is there (PATH, or ' +
                   `${BIN_DIRS.join(', ')}): cannot check the key pair it makes`);
    }
    const run = (label, args, env, dev, wantKeys, namespace) => {
        const r = runMakeSecrets(args, env);
        if (r.status !== 0) {
            fails.push(`[make-secrets ${label}] exit ${r.status}: ${r.stderr.trim()}`);
            return;
        }
        const docs = parseDocs(r.stdout, `make-secrets ${label}`);
        const bad = checkSecretDoc(label, docs, wantKeys, dev, env, namespace);
        fails.push(...bad);
        if (dev && bad.length === 0 && !devSecret) {
            devSecret = docs[0];
        }
        const pw = docs[0]?.data?.['admin-password'];
        if (!pw || !r.stderr.includes(Buffer.from(pw, 'base64').toString())) {
            fails.push(`[make-secrets ${label}] the admin password is not printed on stderr`);
        }
        if (r.stdout.includes(Buffer.from(pw ?? '', 'base64').toString() || '\0')) {
            fails.push(`[make-secrets ${label}] the admin password is on stdout in clear`);
        }
        done.push(label);
    };
    for (const tool of tools) {
        run(`--dev --keygen ${tool}`, ['--dev', '--namespace', 'agora-dev', '--keygen', tool],
            clean, true, referencedKeys(devDocs), 'agora-dev');
    }
    // Without --dev: the URLs come from the environment, and each is required.
    const urls = {
        AGORA_MEMBER_DATABASE_URL: 'postgresql://shop:pw@db.example.net/member?sslmode=require',
        AGORA_CATALOG_DATABASE_URL: 'postgresql://shop:pw@db.example.net:5432/catalog',
        AGORA_ORDER_DATABASE_URL: 'postgresql://shop:pw@db.example.net:5432/order',
        AGORA_PAYMENT_DATABASE_URL: 'postgresql://shop:p%27w@db.example.net:5432/payment',
        AGORA_REDIS_URL: 'rediss://:secret@cache.example.net:6380/0',
    };
    run('(production)', [], { ...clean, ...urls }, false, referencedKeys(baseDocs), undefined);
    const partial = { ...clean, ...urls, AGORA_REDIS_URL: '' };
    delete partial.AGORA_ORDER_DATABASE_URL;
    const missing = runMakeSecrets([], partial);
    if (missing.status !== 1 || missing.stdout !== '' ||
        !/AGORA_ORDER_DATABASE_URL.*AGORA_REDIS_URL/.test(missing.stderr)) {
        fails.push('[make-secrets] without --dev and without AGORA_ORDER_DATABASE_URL and ' +
                   `AGORA_REDIS_URL it must exit 1 naming both, printing nothing (exit ` +
                   `${missing.status}: ${missing.stderr.trim()})`);
    } else {
        done.push('missing URLs refused');
    }
    // Neither openssl nor agora-keygen: a copy outside the repository (no build/bin next to
    // it), with a PATH of only the tools it needs otherwise.
    const dir = mkdtempSync(join(tmpdir(), 'k8s-rules-'));
    try {
        mkdirSync(join(dir, 'deploy/k8s'), { recursive: true });
        mkdirSync(join(dir, 'bin'));
        copyFileSync(MAKE_SECRETS, join(dir, 'deploy/k8s/make-secrets'));
        for (const t of ['head', 'od', 'tr', 'dirname', 'mktemp', 'rm', 'grep', 'base64', 'sort']) {
            const at = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, t))
                .find((p) => existsSync(p));
            if (at) {
                symlinkSync(at, join(dir, 'bin', t));
            }
        }
        const bash = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'bash'))
            .find((p) => existsSync(p)) ?? '/bin/bash';
        const r = spawnSync(bash, [join(dir, 'deploy/k8s/make-secrets'), '--dev'],
                            { encoding: 'utf8', env: { PATH: join(dir, 'bin') } });
        if (r.status !== 1 || r.stdout !== '' ||
            !/neither openssl nor agora-keygen/.test(r.stderr)) {
            fails.push('[make-secrets] with neither openssl nor agora-keygen it must exit 1 and ' +
                       `say so (exit ${r.status}: ${r.stderr.trim()})`);
        } else {
            done.push('no key tool refused');
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    return { fails, done, devSecret };
}

// --- Each rule can fail -----------------------------------------------------------------------

const find = (docs, kind, name) => docs.find((o) => o.kind === kind && o.metadata?.name === name);
const pod = (docs, kind, name) => podTemplate(find(docs, kind, name)).spec;
const ctr = (docs, name, kind = 'Deployment') => pod(docs, kind, name).containers[0];
const np = (docs, name) => find(docs, 'NetworkPolicy', name);
const cfg = (docs) => byKind(docs, 'ConfigMap')
    .find((o) => o.metadata.name.startsWith('agora-config')).data;
const drop = (docs, o) => docs.splice(docs.indexOf(o), 1);
const from = (name) => ({ podSelector: { matchLabels: { [NAME_LABEL]: name } } });

/** Breakages of a render: [render, what, change(docs), the failure it must cause]. */
const MUTATIONS = [
    ['base', 'auth without readinessProbe',
     (d) => { delete ctr(d, 'auth').readinessProbe; },
     /Deployment\/auth container auth: has no readinessProbe/],
    ['base', 'member liveness on /health',
     (d) => { ctr(d, 'member').livenessProbe.httpGet.path = '/health'; },
     /Deployment\/member.*livenessProbe is not httpGet \/healthz/],
    ['base', 'gateway readiness on /readyz',
     (d) => { ctr(d, 'gateway').readinessProbe.httpGet.path = '/readyz'; },
     /Deployment\/gateway.*readinessProbe is not httpGet \/healthz/],
    ['base', 'probe on an undeclared port',
     (d) => { ctr(d, 'order').readinessProbe.httpGet.port = 'web'; },
     /Deployment\/order.*readinessProbe is on port web/],
    ['dev', 'redis without livenessProbe',
     (d) => { delete ctr(d, 'redis', 'StatefulSet').livenessProbe; },
     /StatefulSet\/redis container redis: has no livenessProbe/],
    ['base', 'web as root',
     (d) => { pod(d, 'Deployment', 'web').securityContext.runAsUser = 0; },
     /Deployment\/web container web: runAsUser is 0/],
    ['dev', 'seed Job without runAsNonRoot',
     (d) => { delete pod(d, 'Job', 'catalog-seed').securityContext.runAsNonRoot; },
     /Job\/catalog-seed container seed: runAsNonRoot/],
    ['dev', 'postgres may escalate',
     (d) => { ctr(d, 'postgres', 'StatefulSet').securityContext.allowPrivilegeEscalation = true; },
     /StatefulSet\/postgres container postgres: allowPrivilegeEscalation/],
    ['base', 'catalog keeps its capabilities',
     (d) => { delete ctr(d, 'catalog').securityContext.capabilities; },
     /Deployment\/catalog container catalog: capabilities/],
    ['base', 'order with a writable root',
     (d) => { ctr(d, 'order').securityContext.readOnlyRootFilesystem = false; },
     /Deployment\/order container order: readOnlyRootFilesystem/],
    ['base', 'catalog without limits',
     (d) => { delete ctr(d, 'catalog').resources.limits; },
     /Deployment\/catalog container catalog: resources: cpu needs requests and limits/],
    ['base', 'payment request over its limit',
     (d) => { ctr(d, 'payment').resources.requests.memory = '1Gi'; },
     /Deployment\/payment.*memory request 1Gi is over its limit/],
    ['base', 'web with the service account token',
     (d) => { delete pod(d, 'Deployment', 'web').automountServiceAccountToken; },
     /Deployment\/web: automountServiceAccountToken/],
    ['base', 'member runs as auth',
     (d) => { ctr(d, 'member').args = ['auth']; },
     /Deployment\/member container member: args \["auth"\]/],
    ['base', 'gateway as NodePort',
     (d) => { find(d, 'Service', 'gateway').spec.type = 'NodePort'; },
     /Service\/gateway: is of type NodePort/],
    ['base', 'one Service more',
     (d) => {
         d.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis' },
                  spec: { selector: { [NAME_LABEL]: 'auth' }, ports: [{ port: 4000 }] } });
     },
     /Services: are .*redis.*; want exactly/],
    ['base', 'Service to a wrong port',
     (d) => { find(d, 'Service', 'catalog').spec.ports[0].targetPort = 5101; },
     /Service\/catalog: targetPort 5101/],
    ['base', 'Ingress to auth',
     (d) => {
         find(d, 'Ingress', 'agora').spec.rules[1].http.paths[0].backend.service.name = 'auth';
     },
     /Ingress\/agora: sends to auth/],
    ['base', 'no default deny',
     (d) => { drop(d, np(d, 'default-deny-ingress')); },
     /no default deny/],
    ['base', 'a policy for no pod',
     (d) => { np(d, 'order').spec.podSelector.matchLabels[NAME_LABEL] = 'ordr'; },
     /NetworkPolicy\/order: its podSelector matches no pod template/],
    ['base', 'a caller that does not exist',
     (d) => { np(d, 'member').spec.ingress[0].from[2] = from('orders'); },
     /NetworkPolicy\/member: from.podSelector .*orders.* matches no pod template/],
    ['base', 'auth open to other namespaces',
     (d) => { np(d, 'auth').spec.ingress[0].from.push({ namespaceSelector: {} }); },
     /NetworkPolicy\/auth: admits traffic from outside the namespace/],
    ['base', 'order open to the namespace',
     (d) => { np(d, 'order').spec.ingress[0].from.push({ podSelector: {} }); },
     /NetworkPolicy\/order: from.podSelector \{\} admits every pod/],
    ['base', 'payment without a policy',
     (d) => { drop(d, np(d, 'payment')); },
     /Deployment\/payment: is selected by no allow NetworkPolicy/],
    ['base', 'catalog reachable from web',
     (d) => { np(d, 'catalog').spec.ingress[0].from.push(from('web')); },
     /Deployment\/catalog port 5100: is reachable from \[gateway, order, web\]/],
    ['base', 'member policy on the wrong port',
     (d) => { np(d, 'member').spec.ingress[0].ports[0].port = 5001; },
     /Deployment\/member port 5000: is reachable from \[\]/],
    ['base', 'web closed',
     (d) => { np(d, 'web').spec.ingress[0].from = [from('gateway')]; },
     /Deployment\/web port 3000: does not admit everyone/],
    ['dev', 'postgres reachable from web',
     (d) => { np(d, 'postgres').spec.ingress[0].from.push(from('web')); },
     /StatefulSet\/postgres port 5432: is reachable from/],
    ['dev', 'psp-sandbox without a policy',
     (d) => { drop(d, np(d, 'psp-sandbox')); },
     /Deployment\/psp-sandbox: is selected by no allow NetworkPolicy/],
    ['base', 'no autoscaler for catalog',
     (d) => { drop(d, find(d, 'HorizontalPodAutoscaler', 'catalog')); },
     /Deployment\/catalog: has 0 HorizontalPodAutoscalers/],
    ['base', 'an autoscaler for nothing',
     (d) => { find(d, 'HorizontalPodAutoscaler', 'web').spec.scaleTargetRef.name = 'wbe'; },
     /HorizontalPodAutoscaler\/web: scales Deployment\/wbe/],
    ['base', 'a budget for nothing',
     (d) => {
         find(d, 'PodDisruptionBudget', 'auth').spec.selector.matchLabels[NAME_LABEL] = 'ath';
     },
     /Deployment\/auth: is covered by 0 PodDisruptionBudgets/],
    ['dev', 'dev budget still minAvailable',
     (d) => { find(d, 'PodDisruptionBudget', 'web').spec.minAvailable = 1; },
     /PodDisruptionBudget\/web: wants maxUnavailable: 1/],
    ['dev', 'dev with two replicas',
     (d) => { find(d, 'Deployment', 'order').spec.replicas = 2; },
     /Deployment\/order: replicas is 2, not 1/],
    ['dev', 'psp-sandbox autoscaled',
     (d) => {
         d.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
                  metadata: { name: 'psp-sandbox' },
                  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment',
                                            name: 'psp-sandbox' },
                          minReplicas: 1, maxReplicas: 2 } });
     },
     /HorizontalPodAutoscaler\/psp-sandbox: psp-sandbox keeps its state in memory/],
    ['base', 'a Secret in the output',
     (d) => {
         d.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET_NAME },
                  data: { x: 'eA==' } });
     },
     /Secret\/agora-secrets: a Secret is in the output/],
    ['base', 'the private key in member',
     (d) => { pod(d, 'Deployment', 'member').volumes[0].secret.items[0].key = PRIVATE_KEY; },
     /Deployment\/member volume jwt: mounts the private key/],
    ['base', 'the whole Secret mounted',
     (d) => { delete pod(d, 'Deployment', 'web').volumes[0].secret.items; },
     /Deployment\/web volume jwt: mounts the whole Secret/],
    ['base', 'the public key where no one looks',
     (d) => { ctr(d, 'order').volumeMounts[0].mountPath = '/run/agora/keys'; },
     /Deployment\/order container order: jwt-ed25519.pub.pem is at \/run\/agora\/keys/],
    ['base', 'a key file for everyone',
     (d) => { pod(d, 'Deployment', 'auth').volumes[0].secret.defaultMode = 0o444; },
     /Deployment\/auth volume jwt: defaultMode lets every user read/],
    ['base', 'another Secret',
     (d) => { ctr(d, 'auth').env.find((e) => e.valueFrom).valueFrom.secretKeyRef.name = 'other'; },
     /Deployment\/auth container auth: .* reads Secret other/],
    ['base', 'web gets the internal token',
     (d) => {
         ctr(d, 'web').env.push({ name: 'AGORA_INTERNAL_TOKEN',
                                  valueFrom: { secretKeyRef: { name: SECRET_NAME,
                                                               key: 'internal-token' } } });
     },
     /Deployment\/web container web: AGORA_INTERNAL_TOKEN reads key internal-token, which web/],
    ['base', 'catalog without its database',
     (d) => {
         const c = ctr(d, 'catalog');
         c.env = c.env.filter((e) => e.name !== 'AGORA_CATALOG_DATABASE_URL');
     },
     /Deployment\/catalog: does not get key catalog-database-url/],
    ['base', 'envFrom the Secret',
     (d) => { ctr(d, 'payment').envFrom.push({ secretRef: { name: SECRET_NAME } }); },
     /Deployment\/payment container payment: envFrom a Secret/],
    ['base', 'the verify cache on disk',
     (d) => {
         delete pod(d, 'Deployment', 'gateway').volumes.find((v) => v.emptyDir?.medium)
             .emptyDir.medium;
     },
     /Deployment\/gateway: AGORA_GATEWAY_SHM .* is not an emptyDir medium Memory/],
    ['base', 'a URL to the wrong port',
     (d) => { cfg(d).AGORA_AUTH_URL = 'http://auth:4001'; },
     /AGORA_AUTH_URL: http:\/\/auth:4001 is not a Service/],
    ['base', 'an upstream host that is not there',
     (d) => { cfg(d).AGORA_ORDER_HOST = 'orders'; },
     /AGORA_ORDER_HOST names orders/],
    ['base', 'the dev URL in the base',
     (d) => { cfg(d).AGORA_PUBLIC_URL = 'http://localhost:3000'; },
     /AGORA_PUBLIC_URL is http:\/\/localhost:3000, not https/],
];

const b64 = (text) => Buffer.from(text).toString('base64');
/** Breakages of make-secrets' Secret: [what, change(secret), the failure it must cause]. */
const SECRET_MUTATIONS = [
    ['a key missing', (s) => { delete s.data['redis-url']; },
     /key redis-url, which the manifests refer to, is missing/],
    ['a key too many', (s) => { s.data.extra = b64('x'); },
     /key extra is one no manifest refers to/],
    ['another name', (s) => { s.metadata.name = 'agora'; },
     /named agora, not agora-secrets/],
    ['auth-clients not the web key', (s) => { s.data['auth-clients'] = b64('web:x'); },
     /auth-clients is not web:/],
    ['keys of two pairs', (s) => { s.data[PUBLIC_KEY] = b64(OTHER_PUBLIC); },
     /does not verify with the public key/],
];
// A public key of another pair (made once with openssl genpkey; any Ed25519 key will do).
const OTHER_PUBLIC = '-----BEGIN PUBLIC KEY-----\n' +
    'MCowBQYDK2VwAyEA5qLn1ChYB6R3WX2iNHngTMIzGhZ5wJTZn+K62xWBk+Q=\n-----END PUBLIC KEY-----\n';

/** checkRender, with a crash on an unexpected shape of object reported as a failure. */
function safeCheck(rname, docs) {
    try {
        return checkRender(rname, docs);
    } catch (err) {
        return [`[${rname}] the rules cannot read the output: ${err.stack}`];
    }
}

function checkMutations(rendered, secretSample) {
    const fails = [];
    for (const [rname, what, change, want] of MUTATIONS) {
        const docs = structuredClone(rendered[rname]);
        try {
            change(docs);
        } catch (err) {
            fails.push(`[self-test] breakage "${what}" no longer applies: ${err.message}`);
            continue;
        }
        const got = safeCheck(rname, docs);
        if (!got.some((f) => want.test(f))) {
            fails.push(`[self-test] breakage "${what}" was not caught (want ${want}; got: ` +
                       `${got.join(' | ') || 'nothing'})`);
        }
    }
    if (secretSample) {
        for (const [what, change, want] of SECRET_MUTATIONS) {
            const s = structuredClone(secretSample.doc);
            change(s);
            const got = checkSecretDoc('self-test', [s], secretSample.keys, true, {}, 'agora-dev');
            if (!got.some((f) => want.test(f))) {
                fails.push(`[self-test] make-secrets breakage "${what}" was not caught (want ` +
                           `${want}; got: ${got.join(' | ') || 'nothing'})`);
            }
        }
    }
    return fails;
}

// --- Main -------------------------------------------------------------------------------------

const rendered = { base: render(RENDERS.base.dir), dev: render(RENDERS.dev.dir) };
const failures = [...safeCheck('base', rendered.base), ...safeCheck('dev', rendered.dev)];
const secrets = checkMakeSecrets(rendered.base, rendered.dev);
failures.push(...secrets.fails);

// The self-test of the Secret's rules starts from a good Secret of make-secrets --dev.
const sample = secrets.devSecret && { doc: secrets.devSecret, keys: referencedKeys(rendered.dev) };
if (!sample) {
    failures.push('[self-test] no good Secret from make-secrets --dev to break');
}
failures.push(...checkMutations(rendered, sample));

for (const f of failures) {
    console.log(`k8s_rules: FAIL ${f}`);
}
if (failures.length > 0) {
    console.log(`k8s_rules: ${failures.length} rule${failures.length === 1 ? '' : 's'} failed`);
    process.exit(1);
}
const count = (docs) => `${docs.length} objects (${workloads(docs).length} workloads, ` +
    `${byKind(docs, 'Service').length} Services, ${byKind(docs, 'NetworkPolicy').length} ` +
    'NetworkPolicies)';
console.log(`k8s_rules: ok: base ${count(rendered.base)}; dev ${count(rendered.dev)}; ` +
            `make-secrets ${secrets.done.join(', ')}; ` +
            `${MUTATIONS.length + (sample ? SECRET_MUTATIONS.length : 0)} breakages each caught`);
