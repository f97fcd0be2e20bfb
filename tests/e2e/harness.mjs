// The small harness of the browser end-to-end tests: one headless Chromium (Debian's, driven by
// playwright-core), named steps run in order, a watch on every page for script errors, and on
// the first failure a screenshot of every open page, a report and exit status 1.
//
// Plain Node ESM, no test framework; it runs on Node 18 (Debian 12's) and later.

import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// playwright-core comes from node_modules/ at the repository root (Node finds it by walking up
// from this folder, whatever the working directory); without it, say how to get it.
let chromium;
try {
    ({ chromium } = await import('playwright-core'));
} catch (err) {
    console.error(`e2e: cannot load playwright-core (run scripts/bootstrap, or npm ci in the ` +
                  `repository root): ${err.message}`);
    process.exit(1);
}

/** The repository root: two folders above this file (tests/e2e/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT_DIR = join(REPO_ROOT, 'var', 'test', 'screenshots');

/** How long one action or wait may take (Playwright's default for the pages). */
export const ACTION_TIMEOUT_MS = 15_000;
/** How long one step may take in all. */
const STEP_TIMEOUT_MS = 90_000;
/** How long the whole run may take: under CTest's TIMEOUT 300, so we still report. */
const RUN_TIMEOUT_MS = 270_000;

/** The base URL of the storefront of the test stack, from AGORA_WEB_PORT. */
export function webBase() {
    const port = process.env.AGORA_WEB_PORT;
    if (!port || !/^\d+$/.test(port)) {
        console.error('e2e: AGORA_WEB_PORT is not set to a port (make test sets it; by hand: ' +
                      'AGORA_WEB_PORT=23000 node tests/e2e/storefront.mjs)');
        process.exit(1);
    }
    return `http://127.0.0.1:${port}`;
}

/** A message of a failed check; shorter in the report than an AssertionError's diff. */
export class CheckError extends Error {}

/** One line about a failed check: an assertion's values, or the first line of the message. */
export function describe(err) {
    // assert.ok() and assert.fail() say all in their message.
    const plain = err && (err.operator === 'fail' || (err.operator === '==' && err.expected === true));
    if (err && err.code === 'ERR_ASSERTION' && !plain) {
        const values = `got ${JSON.stringify(err.actual)}, expected ${JSON.stringify(err.expected)}`;
        return err.generatedMessage ? values : `${err.message}: ${values}`;
    }
    return String(err && err.message ? err.message : err).split('\n')[0];
}

/**
 * Polls check() until it returns without throwing, at most timeoutMs; returns its value.
 * For outcomes that need more than one locator wait (counts, attributes, URLs after an htmx
 * swap); on timeout the error names what was awaited and the last failure.
 */
export async function eventually(what, check, timeoutMs = ACTION_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            return await check();
        } catch (err) {
            last = err;
        }
        if (Date.now() >= deadline) {
            throw new CheckError(`timed out after ${timeoutMs} ms waiting for ${what}` +
                                 (last ? `: ${describe(last)}` : ''));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/**
 * Whether a console error is the browser's line for a 4xx answer. Those are expected (the
 * re-rendered form of a wrong input, the redirect of a revoked session); a 4xx answer to a
 * script, style sheet or image is caught by the response watch instead.
 */
function isExpectedHttpError(text) {
    return /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(text);
}

/** Resource types whose failure breaks a page even when the page still renders. */
const ASSET_TYPES = new Set(['script', 'stylesheet', 'image', 'font', 'media']);

export class Run {
    constructor() {
        this.browser = null;
        this.steps = [];
        /** Problems the pages reported since the last check: "<page url>: <message>". */
        this.problems = [];
        /** Path names of the successful responses, per page. */
        this.loaded = new WeakMap();
        this.contexts = 0;
    }

    /** Registers a step; steps run in the order registered, each after the previous passed. */
    step(name, fn) {
        this.steps.push({ name, fn });
    }

    /**
     * A new browser context (its own cookies) in the given locale, so Accept-Language asks
     * for that language, with Playwright's context 'options' on top (javaScriptEnabled…);
     * every page it opens is watched.
     */
    async newContext(locale, options = {}) {
        const context = await this.browser.newContext({
            locale, viewport: { width: 1280, height: 900 }, ...options,
        });
        context.setDefaultTimeout(ACTION_TIMEOUT_MS);
        context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
        context.on('page', (page) => this.watch(page));
        this.contexts++;
        return context;
    }

    /** Closes a context after a last look at what its pages reported. */
    async closeContext(context) {
        this.checkProblems();
        await context.close();
    }

    /** Collects what a page reports: uncaught exceptions, console errors, failed assets. */
    watch(page) {
        this.loaded.set(page, new Set());
        page.on('pageerror', (err) => {
            this.problems.push(`${page.url()}: uncaught ${err.name}: ${err.message}`);
        });
        page.on('console', (msg) => {
            if (msg.type() === 'error' && !isExpectedHttpError(msg.text())) {
                // CSP violations, htmx's errors and broken scripts all land here.
                this.problems.push(`${page.url()}: console error: ${msg.text()}`);
            }
        });
        page.on('response', (res) => {
            const status = res.status();
            const type = res.request().resourceType();
            if (status >= 500 || (status >= 400 && ASSET_TYPES.has(type))) {
                this.problems.push(`${page.url()}: ${type} ${res.url()} answered ${status}`);
            } else if (status < 400) {
                this.loaded.get(page).add(new URL(res.url()).pathname);
            }
        });
    }

    /** Throws when a watched page reported a problem since the last call. */
    checkProblems() {
        if (this.problems.length > 0) {
            const list = this.problems.splice(0).map((p) => `  ${p}`).join('\n');
            throw new CheckError(`the pages reported errors:\n${list}`);
        }
    }

    /** Every open page of every context. */
    pages() {
        return this.browser ? this.browser.contexts().flatMap((c) => c.pages()) : [];
    }

    /** Saves a full-page screenshot of every open page as <step>-<n>.png; returns the paths. */
    async screenshots(stepName) {
        const saved = [];
        try {
            await mkdir(SCREENSHOT_DIR, { recursive: true });
            let n = 0;
            for (const page of this.pages()) {
                n++;
                const file = join(SCREENSHOT_DIR, `${stepName}-${n}.png`);
                try {
                    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
                    saved.push(`${relative(REPO_ROOT, file)} (${page.url()})`);
                } catch (err) {
                    saved.push(`${relative(REPO_ROOT, file)}: not saved: ${err.message.split('\n')[0]}`);
                }
            }
        } catch (err) {
            saved.push(`screenshots not saved: ${err.message}`);
        }
        return saved;
    }

    /** Launches the browser, runs every step, reports; exits 0 when all passed, else 1. */
    async main() {
        const watchdog = setTimeout(() => {
            console.error(`e2e: the run took longer than ${RUN_TIMEOUT_MS / 1000} s; giving up`);
            process.exit(1);
        }, RUN_TIMEOUT_MS);
        watchdog.unref();

        // Screenshots of an earlier failed run would only mislead.
        await rm(SCREENSHOT_DIR, { recursive: true, force: true });

        const executablePath = process.env.AGORA_CHROMIUM || '/usr/bin/chromium';
        try {
            this.browser = await chromium.launch({
                executablePath, headless: true, args: ['--no-sandbox'], timeout: 60_000,
            });
        } catch (err) {
            console.error(`e2e: cannot launch ${executablePath} (install Debian's chromium: ` +
                          `scripts/bootstrap): ${err.message}`);
            process.exit(1);
        }

        let passed = 0;
        let failed = null;
        for (const { name, fn } of this.steps) {
            const started = Date.now();
            let timer;
            try {
                await Promise.race([
                    fn(),
                    new Promise((_, reject) => {
                        timer = setTimeout(() => reject(new CheckError(
                            `the step took longer than ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
                    }),
                ]);
                this.checkProblems();
                passed++;
                console.log(`ok   ${name} (${Date.now() - started} ms)`);
            } catch (err) {
                failed = { name, err };
                break;
            } finally {
                clearTimeout(timer);
            }
        }

        let status = 0;
        if (failed) {
            const { name, err } = failed;
            const urls = this.pages().map((p) => p.url()).join(', ') || '(no page open)';
            console.log(`FAIL ${name}`);
            console.log(`  url: ${urls}`);
            // Failed checks and Playwright's timeouts explain themselves; other errors are
            // bugs of the test, shown with their stack.
            let text;
            if (err.code === 'ERR_ASSERTION') text = describe(err);
            else if (err instanceof CheckError || err.name === 'TimeoutError') text = err.message;
            else text = err.stack || String(err);
            // Playwright colours its call logs; CTest's log wants plain text.
            text = text.replace(/\x1b\[[0-9;]*m/g, '');
            console.log(text.split('\n').map((l) => `  ${l}`).join('\n'));
            const shots = await this.screenshots(name);
            for (const s of shots) console.log(`  screenshot: ${s}`);
            status = 1;
        }
        await this.browser.close().catch(() => {});
        const notRun = this.steps.length - passed - (failed ? 1 : 0);
        console.log(`e2e: ${passed} passed, ${failed ? 1 : 0} failed` +
                    (notRun > 0 ? `, ${notRun} not run` : ''));
        clearTimeout(watchdog);
        process.exit(status);
    }
}
