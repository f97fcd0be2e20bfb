// The storefront in a real browser: language choice, the header, sign-up (and its validation),
// log in and out, the account page (profile, password, addresses, sessions), the catalog
// (search, a product page, an admin's price change showing in the shop), and buying (a guest's
// cart kept through sign-up, checkout with the approving test card, the order's page and the
// history, a declined card), run against the web service of the test stack in headless
// Chromium.
//
//   AGORA_WEB_PORT=23000 node tests/e2e/storefront.mjs      (CTest: e2e_storefront)
//
// Each step waits on what the user would see (a role, a text, a URL), never on a fixed time:
// the pages use htmx (a boosted body, forms that swap their section), so an outcome may come
// from a full page load or from a swap. On failure: var/test/screenshots/<step>-<n>.png.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, Run, eventually, webBase } from './harness.mjs';

const BASE = webBase();
const run = new Run();

// The member this run creates; the id is unique so that runs never collide.
const member = {
    id: `e2e${randomBytes(5).toString('hex')}`,
    password: 'correct-horse-9',
    newPassword: 'battery-staple-7',
    name: 'E2E Tester',
    newName: 'E2E Renamed',
};
member.email = `${member.id}@example.com`;

// The shopper of the buying steps: a guest first, then a member through sign-up.
const shopper = {
    id: `e2b${randomBytes(5).toString('hex')}`,
    password: 'correct-horse-9',
    name: 'E2E Shopper',
};
shopper.email = `${shopper.id}@example.com`;

/** The path name of the page's current URL (after redirects and htmx history pushes). */
function pathOf(page) {
    return new URL(page.url()).pathname;
}

/** Waits until the page is at the given path (a load, a redirect or an htmx push). */
async function atPath(page, path) {
    await eventually(`the URL path ${path}`, () => assert.equal(pathOf(page), path));
}

/** Waits until <html lang> is the given language. */
async function hasLang(page, lang) {
    await eventually(`<html lang="${lang}">`, async () =>
        assert.equal(await page.locator('html').getAttribute('lang'), lang));
}

/** Loads a path of the storefront. */
async function open(page, path) {
    await page.goto(BASE + path, { waitUntil: 'load' });
}

function header(page) {
    return page.locator('header.site-header');
}

/** A link of the header by its exact accessible name. */
function headerLink(page, name) {
    return header(page).getByRole('link', { name, exact: true });
}

/** Checks that a link points at the given path (its query, say ?next=, does not matter). */
async function linksTo(link, path) {
    const href = await link.getAttribute('href');
    assert.ok(href !== null, `link "${await link.textContent()}" has no href`);
    assert.equal(new URL(href, BASE).pathname, path, `href of a link: ${href}`);
}

/** Checks that the home page loaded htmx from our static path and that it runs. */
async function htmxLoaded(page) {
    assert.ok(run.loaded.get(page).has('/static/htmx.min.js'),
              'the page did not load /static/htmx.min.js');
    await eventually('window.htmx', async () =>
        assert.equal(await page.evaluate(() => typeof window.htmx), 'object'));
}

/** Signed in: the header shows "My account" and a "Log out" button. */
async function signedIn(page) {
    await headerLink(page, 'My account').waitFor();
    await linksTo(headerLink(page, 'My account'), '/account');
    await header(page).getByRole('button', { name: 'Log out', exact: true }).waitFor();
}

/** Signed out: the header shows "Log in" and "Sign up". */
async function signedOut(page) {
    await headerLink(page, 'Log in').waitFor();
    await linksTo(headerLink(page, 'Log in'), '/login');
    await linksTo(headerLink(page, 'Sign up'), '/signup');
}

/** Logs in from the header's "Log in" link; ends on the home page. */
async function logIn(page, login, password) {
    await headerLink(page, 'Log in').click();
    await atPath(page, '/login');
    await page.getByLabel('ID or email', { exact: true }).fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await atPath(page, '/');
    await signedIn(page);
}

/** Logs out with the header's button; ends signed out on the home page. */
async function logOut(page) {
    await header(page).getByRole('button', { name: 'Log out', exact: true }).click();
    await atPath(page, '/');
    await signedOut(page);
}

/** The status message (role=status) with the given text. */
function statusMessage(page, text) {
    return page.getByRole('status').filter({ hasText: text });
}

/** The page of the first en-US context, used by most steps; opened by the header step. */
let page;

run.step('korean-default', async () => {
    // A Korean browser gets Korean (the default language), then switches to English.
    const ko = await run.newContext('ko-KR');
    const p = await ko.newPage();
    await open(p, '/');
    await hasLang(p, 'ko');
    await headerLink(p, '로그인').waitFor();
    await htmxLoaded(p);
    await headerLink(p, '한국어').waitFor();
    await headerLink(p, 'English').click();
    await hasLang(p, 'en');
    await headerLink(p, 'Log in').waitFor();
    await run.closeContext(ko);
});

run.step('header', async () => {
    page = await (await run.newContext('en-US')).newPage();
    await open(page, '/');
    await hasLang(page, 'en');
    await htmxLoaded(page);
    await linksTo(headerLink(page, 'Agora'), '/');
    await header(page).getByRole('search')
        .getByLabel('Search products', { exact: true }).waitFor();
    await linksTo(headerLink(page, 'Cart'), '/cart');
    await signedOut(page);
    await headerLink(page, '한국어').waitFor();
    await headerLink(page, 'English').waitFor();
});

run.step('signup-validation', async () => {
    // A password that is too short: the form comes back with the error tied to the field.
    await headerLink(page, 'Sign up').click();
    await atPath(page, '/signup');
    await page.getByLabel('ID', { exact: true }).fill(member.id);
    await page.getByLabel('Email', { exact: true }).fill(member.email);
    await page.getByLabel('Name', { exact: true }).fill(member.name);
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('short');
    await page.getByLabel('Confirm password', { exact: true }).fill('short');
    // The server's validation is under test, not the browser's: a minlength attribute on the
    // input would otherwise stop the submission before it is sent.
    await password.evaluate((input) => input.form && input.form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();

    await eventually('aria-invalid="true" on Password', async () =>
        assert.equal(await password.getAttribute('aria-invalid'), 'true'));
    await atPath(page, '/signup');
    const ids = ((await password.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
    assert.ok(ids.length > 0, 'Password has no aria-describedby');
    let shown = 0;
    for (const id of ids) {
        const described = page.locator(`[id="${id}"]`);
        assert.equal(await described.count(), 1, `aria-describedby names #${id}, which is not on the page once`);
        if (await described.isVisible() && (await described.innerText()).trim() !== '') shown++;
    }
    assert.ok(shown > 0, `none of aria-describedby="${ids.join(' ')}" is visible with a text`);
    // The error belongs to the password alone.
    assert.notEqual(await page.getByLabel('ID', { exact: true }).getAttribute('aria-invalid'), 'true',
                    'ID is marked invalid though it is valid');
});

run.step('signup', async () => {
    await open(page, '/signup');
    await page.getByLabel('ID', { exact: true }).fill(member.id);
    await page.getByLabel('Email', { exact: true }).fill(member.email);
    await page.getByLabel('Name', { exact: true }).fill(member.name);
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByLabel('Confirm password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();

    await atPath(page, '/account');
    await page.getByRole('heading', { level: 1, name: 'My account', exact: true }).waitFor();
    await signedIn(page);
    // The id shows in the profile section, as text or as the value of a (read-only) input.
    await eventually(`the id ${member.id} in #profile`, async () =>
        assert.ok(await page.locator('#profile').evaluate((el, id) =>
            el.innerText.includes(id) || [...el.querySelectorAll('input')].some((i) => i.value === id),
        member.id), 'not found'));
});

run.step('logout', async () => {
    await logOut(page);
});

run.step('login', async () => {
    await logIn(page, member.id, member.password);
});

run.step('profile', async () => {
    await open(page, '/account');
    const profile = page.locator('section#profile');
    await profile.getByRole('heading', { level: 2, name: 'Profile', exact: true }).waitFor();
    const name = profile.getByLabel('Name', { exact: true });
    const email = profile.getByLabel('Email', { exact: true });
    assert.equal(await name.inputValue(), member.name);
    assert.equal(await email.inputValue(), member.email);

    await name.fill(member.newName);
    await profile.getByRole('button', { name: 'Save profile', exact: true }).click();
    await statusMessage(page, 'Profile saved.').waitFor();
    await eventually('the new name in the form', async () =>
        assert.equal(await name.inputValue(), member.newName));

    await page.reload({ waitUntil: 'load' });
    assert.equal(await name.inputValue(), member.newName, 'Name after a reload');
    assert.equal(await email.inputValue(), member.email, 'Email after a reload');
});

run.step('address', async () => {
    await open(page, '/account');
    const addresses = page.locator('section#addresses');
    const recipient = `Recipient ${member.id}`;
    await addresses.getByLabel('Recipient', { exact: true }).fill(recipient);
    await addresses.getByLabel('Phone', { exact: true }).fill('010-1234-5678');
    await addresses.getByLabel('Postal code', { exact: true }).fill('06236');
    await addresses.getByLabel('Address', { exact: true }).fill('Teheran-ro 152');
    await addresses.getByLabel('Address line 2 (optional)', { exact: true }).fill('12F');
    await addresses.getByRole('button', { name: 'Add address', exact: true }).click();

    const item = page.locator('#address-list > li')
        .filter({ hasText: recipient }).filter({ hasText: 'Teheran-ro 152' });
    await item.waitFor();
    await item.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    // And it is stored, not only swapped in.
    await page.reload({ waitUntil: 'load' });
    await item.waitFor();
});

run.step('sessions', async () => {
    // A second browser signs in as the same member.
    const other = await run.newContext('en-US');
    const otherPage = await other.newPage();
    await open(otherPage, '/');
    await logIn(otherPage, member.id, member.password);

    await open(page, '/account');
    const items = page.locator('#session-list > li');
    await eventually('2 sessions in #session-list', async () => assert.equal(await items.count(), 2));
    // Case-sensitive: "Log out this device" must not count as the marker.
    const current = items.filter({ hasText: /This device/ });
    assert.equal(await current.count(), 1, 'sessions marked "This device"');
    const endButton = page.getByRole('button', { name: 'Log out this device', exact: true });
    const others = items.filter({ has: endButton });
    assert.equal(await others.count(), 1, 'sessions with a "Log out this device" button');
    assert.equal(await current.filter({ has: endButton }).count(), 0,
                 'the session of this device can be ended from its list item');

    await others.getByRole('button', { name: 'Log out this device', exact: true }).click();
    await eventually('1 session in #session-list', async () => assert.equal(await items.count(), 1));
    await current.waitFor();

    // The other browser's session has ended: /account sends it to the log-in page. The
    // gateway may reuse a verdict for a couple of seconds (AGORA_GATEWAY_AUTH_CACHE_S), so
    // this retries for a while rather than at once.
    await eventually('the ended session to be sent to /login', async () => {
        await open(otherPage, '/account');
        const url = new URL(otherPage.url());
        assert.equal(url.pathname, '/login');
        assert.equal(url.searchParams.get('next'), '/account', `the redirect: ${url}`);
    }, 20_000);
    await run.closeContext(other);
});

run.step('password', async () => {
    await open(page, '/account');
    const section = page.locator('#password');
    await section.getByLabel('Current password', { exact: true }).fill(member.password);
    await section.getByLabel('New password', { exact: true }).fill(member.newPassword);
    await section.getByLabel('Confirm new password', { exact: true }).fill(member.newPassword);
    await section.getByRole('button', { name: 'Change password', exact: true }).click();
    await statusMessage(page, 'Password changed.').waitFor();
    assert.equal(pathOf(page), '/account');
    await signedIn(page);
    // The rest of the page (not swapped) still works: its forms' CSRF token stays good.
    const profile = page.locator('section#profile');
    await profile.getByRole('button', { name: 'Save profile', exact: true }).click();
    await statusMessage(page, 'Profile saved.').waitFor();
    // Still signed in on a fresh load.
    await page.reload({ waitUntil: 'load' });
    await atPath(page, '/account');
    await page.getByRole('heading', { level: 1, name: 'My account', exact: true }).waitFor();
});

run.step('new-password-login', async () => {
    await logOut(page);

    // The old password no longer works: an alert, and still on /login.
    await headerLink(page, 'Log in').click();
    await atPath(page, '/login');
    await page.getByLabel('ID or email', { exact: true }).fill(member.id);
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('alert').first().waitFor();
    await atPath(page, '/login');
    await signedOut(page);

    // The new one does.
    await open(page, '/');
    await logIn(page, member.id, member.newPassword);
    await logOut(page);
});

// Every form works without JavaScript too: plain posts and 303 redirects, no htmx.
run.step('without-javascript', async () => {
    const context = await run.newContext('en-US', { javaScriptEnabled: false });
    const plain = await context.newPage();
    await open(plain, '/');
    await logIn(plain, member.id, member.newPassword);
    await open(plain, '/account');
    const profile = plain.locator('section#profile');
    const name = profile.getByLabel('Name', { exact: true });
    await name.fill('No Script');
    await profile.getByRole('button', { name: 'Save profile', exact: true }).click();
    await statusMessage(plain, 'Profile saved.').waitFor();
    assert.equal(await name.inputValue(), 'No Script');
    assert.equal(new URL(plain.url()).searchParams.get('saved'), 'profile', 'a real redirect');

    const addresses = plain.locator('section#addresses');
    await addresses.getByLabel('Recipient', { exact: true }).fill('Plain Form');
    await addresses.getByLabel('Phone', { exact: true }).fill('02-123-4567');
    await addresses.getByLabel('Postal code', { exact: true }).fill('04524');
    await addresses.getByLabel('Address', { exact: true }).fill('Sejong-daero 110');
    await addresses.getByRole('button', { name: 'Add address', exact: true }).click();
    await plain.locator('#address-list > li').filter({ hasText: 'Sejong-daero 110' }).waitFor();
    await logOut(plain);
    await run.closeContext(context);
});

// The catalog: the header's search finds a product, its page shows the sale price.
run.step('catalog-search', async () => {
    const context = await run.newContext('en-US');
    const shop = await context.newPage();
    await open(shop, '/');
    await header(shop).getByRole('search').getByLabel('Search products', { exact: true }).fill('Sori');
    await header(shop).getByRole('button', { name: 'Search', exact: true }).click();
    await atPath(shop, '/products');
    await shop.getByRole('heading', { level: 1, name: /Sori/ }).waitFor();
    await shop.locator('#product-grid').getByRole('link', { name: 'Sori Wireless Earbuds' }).first().click();
    await atPath(shop, '/products/sori-wireless-earbuds');
    await shop.getByRole('heading', { level: 1, name: 'Sori Wireless Earbuds', exact: true }).waitFor();
    await eventually('the sale price', async () =>
        assert.equal((await shop.locator('#sale-price').innerText()).trim(), '₩99,000'));
    assert.ok((await shop.locator('#list-price').innerText()).includes('₩129,000'), 'the list price');
    await shop.getByRole('button', { name: 'Add to cart', exact: true }).waitFor();
    // A boosted click swaps the body only; the head of a real load is what search engines read.
    await shop.reload({ waitUntil: 'load' });
    const canonical = await shop.locator('link[rel="canonical"]').getAttribute('href');
    assert.ok(canonical && canonical.endsWith('/products/sori-wireless-earbuds'), `canonical ${canonical}`);
    await run.closeContext(context);
});

// An admin makes a product and changes its price; the shop shows the new price at once.
run.step('admin-price-edit', async () => {
    const password = (await readFile(join(REPO_ROOT, 'var', 'test', 'keys', 'admin-password'), 'utf8')).trim();
    const slug = `e2e-${randomBytes(4).toString('hex')}`;
    const adminContext = await run.newContext('en-US');
    const admin = await adminContext.newPage();
    await open(admin, '/');
    await logIn(admin, 'admin', password);
    await headerLink(admin, 'Admin').click();
    await atPath(admin, '/admin');
    await admin.getByRole('link', { name: 'Products', exact: true }).click();
    await atPath(admin, '/admin/products');
    await admin.getByRole('link', { name: 'New product', exact: true }).click();
    await atPath(admin, '/admin/products/new');
    await admin.getByLabel('Slug', { exact: true }).fill(slug);
    await admin.getByLabel('Name', { exact: true }).fill('이투이 테스트');
    await admin.getByLabel('Name (English)', { exact: true }).fill('E2E Lamp');
    await admin.getByLabel('Price', { exact: true }).fill('50000');
    await admin.getByLabel('Status', { exact: true }).selectOption('active');
    await admin.getByLabel('Category', { exact: true }).selectOption('electronics');
    await admin.getByLabel('Initial stock', { exact: true }).fill('5');
    await admin.getByRole('button', { name: 'Create product', exact: true }).click();
    await statusMessage(admin, 'Product created.').waitFor();

    // A visitor sees it (and web now keeps its copy of the product).
    const shopContext = await run.newContext('en-US');
    const shop = await shopContext.newPage();
    await open(shop, `/products/${slug}`);
    await shop.getByRole('heading', { level: 1, name: 'E2E Lamp', exact: true }).waitFor();
    assert.equal((await shop.locator('#product-price').innerText()).trim(), '₩50,000');

    const price = admin.getByLabel('Price', { exact: true });
    assert.equal(await price.inputValue(), '50000');
    await price.fill('42000');
    await admin.getByRole('button', { name: 'Save product', exact: true }).click();
    await statusMessage(admin, 'Product saved.').waitFor();
    assert.equal(await admin.getByLabel('Price', { exact: true }).inputValue(), '42000');

    await open(shop, `/products/${slug}`);
    assert.equal((await shop.locator('#product-price').innerText()).trim(), '₩42,000',
                 'the product page after the change');
    await run.closeContext(shopContext);
    await run.closeContext(adminContext);
});

// Buying: a guest fills a cart, signs up (the cart comes along), checks out with the approving
// test card, and sees the order; then a declined card says so and keeps the cart.
let shop;

/** Adds one of the product at /products/<slug> from its page; ends on the cart. */
async function addToCart(page, slug, name) {
    await open(page, `/products/${slug}`);
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add to cart', exact: true }).click();
    await atPath(page, '/cart');
    await page.locator('#cart-lines .cart-line').filter({ hasText: name }).waitFor();
}

/** The cart's lines, after a load of /cart. */
async function cartLines(page) {
    await open(page, '/cart');
    await page.getByRole('heading', { level: 1, name: 'Cart', exact: true }).waitFor();
    return page.locator('#cart-lines .cart-line');
}

/** From the cart to the checkout page, a new address filled in and 'card' as the card. */
async function fillCheckout(page, card) {
    await page.getByRole('link', { name: 'Checkout', exact: true }).click();
    await atPath(page, '/checkout');
    await page.getByRole('heading', { level: 1, name: 'Checkout', exact: true }).waitFor();
    const form = page.locator('#checkout-form');
    // No saved address yet: "A new address" is the choice.
    assert.ok(await form.getByLabel('A new address', { exact: true }).isChecked(),
              'the new address is not chosen');
    await form.getByLabel('Recipient', { exact: true }).fill('Kim Haneul');
    await form.getByLabel('Phone', { exact: true }).fill('010-1234-5678');
    await form.getByLabel('Postal code', { exact: true }).fill('06236');
    await form.getByLabel('Address', { exact: true }).fill('Teheran-ro 152');
    await form.getByLabel('Address line 2 (optional)', { exact: true }).fill('12F');
    await form.getByLabel('Card number', { exact: true }).fill(card);
    // The sandbox's test cards are listed for the shopper to pick from.
    await page.locator('#checkout-test-cards').getByText('4000 0000 0000 9995').waitFor();
}

run.step('guest-cart', async () => {
    shop = await (await run.newContext('en-US')).newPage();
    await open(shop, '/');
    await signedOut(shop);
    await addToCart(shop, 'sori-wireless-earbuds', 'Sori Wireless Earbuds');
    await addToCart(shop, 'haneul-running-shoes', 'Haneul Running Shoes');
    const lines = await cartLines(shop);
    assert.equal(await lines.count(), 2, 'lines in the guest cart');
    // 99,000 + 89,000: over 50,000, so shipping is free.
    assert.equal((await shop.locator('#cart-shipping').innerText()).trim(), 'Free shipping');
    assert.equal((await shop.locator('#cart-total').innerText()).trim(), '₩188,000');
    // A guest is sent to log in from checkout.
    await shop.getByRole('link', { name: 'Checkout', exact: true }).click();
    await atPath(shop, '/login');
    assert.equal(new URL(shop.url()).searchParams.get('next'), '/checkout');
});

run.step('signup-keeps-cart', async () => {
    await headerLink(shop, 'Sign up').click();
    await atPath(shop, '/signup');
    await shop.getByLabel('ID', { exact: true }).fill(shopper.id);
    await shop.getByLabel('Email', { exact: true }).fill(shopper.email);
    await shop.getByLabel('Name', { exact: true }).fill(shopper.name);
    await shop.getByLabel('Password', { exact: true }).fill(shopper.password);
    await shop.getByLabel('Confirm password', { exact: true }).fill(shopper.password);
    await shop.getByRole('button', { name: 'Sign up', exact: true }).click();
    await atPath(shop, '/account');
    await signedIn(shop);
    await linksTo(headerLink(shop, 'Orders'), '/orders');
    const lines = await cartLines(shop);
    assert.equal(await lines.count(), 2, 'lines in the cart after sign-up');
    await lines.filter({ hasText: 'Sori Wireless Earbuds' }).waitFor();
    await lines.filter({ hasText: 'Haneul Running Shoes' }).waitFor();
});

let orderPath;

run.step('checkout-approved', async () => {
    await fillCheckout(shop, '4242424242424242');
    await shop.getByRole('button', { name: 'Place order', exact: true }).click();
    await eventually('the order page', async () =>
        assert.match(pathOf(shop), /^\/orders\/ord_[0-9a-f]{24}$/));
    orderPath = pathOf(shop);
    await statusMessage(shop, 'Thank you, your order has been placed.').waitFor();
    await eventually('the status Paid', async () =>
        assert.equal((await shop.locator('#order-status').innerText()).trim(), 'Paid'));
    const lines = shop.locator('#order-lines .order-line');
    assert.equal(await lines.count(), 2, 'lines of the order');
    await lines.filter({ hasText: 'Sori Wireless Earbuds' }).waitFor();
    await lines.filter({ hasText: 'Haneul Running Shoes' }).waitFor();
    assert.equal((await shop.locator('#order-total').innerText()).trim(), '₩188,000');
    assert.ok((await shop.locator('#order-card').innerText()).includes('4242'), 'the card last4');
    assert.ok((await shop.locator('#order-address').innerText()).includes('Teheran-ro 152'),
              'the address');
    assert.ok(!(await shop.content()).includes('4242424242424242'), 'the card number is on the page');
    await shop.getByRole('button', { name: 'Cancel order', exact: true }).waitFor();
    // The cart is empty now.
    assert.equal(await (await cartLines(shop)).count(), 0, 'lines in the cart after the order');
});

run.step('order-history', async () => {
    await headerLink(shop, 'Orders').click();
    await atPath(shop, '/orders');
    await shop.getByRole('heading', { level: 1, name: /^Orders/ }).waitFor();
    const id = orderPath.split('/').pop();
    const row = shop.locator(`#order-table tr[data-order="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /and 1 more/);
    assert.match(await row.innerText(), /Paid/);
    assert.match(await row.innerText(), /₩188,000/);
    await row.getByRole('link').click();
    await atPath(shop, orderPath);
    await shop.getByRole('heading', { level: 1, name: 'Order details', exact: true }).waitFor();
});

run.step('checkout-declined', async () => {
    await addToCart(shop, 'last-ten-mug', 'Limited Ceramic Mug');
    await fillCheckout(shop, '4000000000009995');
    await shop.getByRole('button', { name: 'Place order', exact: true }).click();
    const alert = shop.getByRole('alert').filter({ hasText: 'Your card was declined' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /insufficient funds/);
    await atPath(shop, '/checkout');
    // The number is never written back; the address is, and the cart is kept.
    assert.equal(await shop.getByLabel('Card number', { exact: true }).inputValue(), '');
    assert.equal(await shop.getByLabel('Recipient', { exact: true }).inputValue(), 'Kim Haneul');
    await shop.locator('#checkout-lines').getByText('Limited Ceramic Mug').waitFor();
    const lines = await cartLines(shop);
    assert.equal(await lines.count(), 1, 'lines in the cart after the decline');
    await lines.filter({ hasText: 'Limited Ceramic Mug' }).waitFor();
    await run.closeContext(shop.context());
});

await run.main();
