// The browser flows of issue 5, in Debian's Chromium (headless), against a Kesu server the Rust
// test started: node flows.mjs <base-url> <screenshot-dir>. Prints one JSON line with what it
// found; any failed check throws and exits non-zero.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const found = {};
const desktop = { viewport: { width: 1366, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" };
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" };

async function signIn(username) {
  const ctx = await browser.newContext(desktop);
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login\?next=/, "an anonymous visit is sent to sign in");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "Kesu@2026");
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  return { ctx, page };
}

async function act(page, action, fill) {
  const details = page.locator(`#action-${action}`);
  if (!(await details.evaluate((d) => d.open))) await page.click(`#action-${action} summary`);
  const form = page.locator(`#action-${action} form`);
  for (const [name, value] of Object.entries(fill)) {
    const field = form.locator(`[name=${name}]`);
    const tag = await field.evaluate((e) => e.tagName);
    if (tag === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await form.locator("button[type=submit]").click();
  await page.waitForLoadState("load");
}

// 1. An agent signs in and registers a complaint; a bad submission keeps what was typed.
{
  const { ctx, page } = await signIn("agent");
  assert.equal(await page.locator("header nav a.on").innerText(), "工作台");
  await page.screenshot({ path: `${shots}/workbench-zh.png`, fullPage: true });
  await page.click("text=登记投诉");
  await page.fill("input[name=subject]", "卫生间天花板漏水");
  await page.fill("input[name=phone]", "12345");
  await page.click("#register button.primary");
  assert.equal(page.url(), `${base}/complaints/new`, "a refused form stays on the page");
  assert.equal(await page.inputValue("input[name=subject]"), "卫生间天花板漏水", "typed text is kept");
  assert.ok(await page.locator("label.invalid >> input[name=phone]").count() === 1, "the phone is marked");
  assert.ok(await page.locator("label.invalid >> textarea[name=description]").count() === 1, "the description is marked");
  found.form_errors = await page.locator("span.err").count();
  await page.screenshot({ path: `${shots}/register-errors.png`, fullPage: true });

  await page.fill("input[name=phone]", "13800138000");
  await page.fill("input[name=name]", "张<i>三</i>");
  await page.selectOption("select[name=project_code]", "GZ-001");
  await page.fill("input[name=building]", "3栋");
  await page.fill("input[name=unit]", "1502");
  await page.fill("textarea[name=description]", '楼上渗水<script>window.__xss = 1</script><img src=x onerror="window.__xss=2"> 已经三天了');
  await page.fill("textarea[name=demands]", "尽快维修");
  await page.click("#register button[name=lookup]");
  assert.ok(await page.locator("#history").isVisible(), "the phone lookup shows the caller's history");
  assert.equal(await page.inputValue("input[name=subject]"), "卫生间天花板漏水");
  await page.click("#register button.primary");
  await page.waitForURL(/\/complaints\/KS-\d{6}-\d{5}\?done=registered$/);
  found.number = page.url().match(/KS-\d{6}-\d{5}/)[0];
  const description = await page.locator("#description").innerText();
  assert.ok(description.includes("<script>window.__xss = 1</script>"), "hostile text shows as text");
  assert.equal(await page.evaluate(() => window.__xss), undefined, "and never runs");
  assert.equal(await page.locator("#description img").count(), 0, "no element was made from it");
  await page.screenshot({ path: `${shots}/complaint-registered.png`, fullPage: true });
  await page.click("text=统计分析");
  assert.ok((await page.locator("#report").innerText()).includes("合计"));
  await page.screenshot({ path: `${shots}/reports-zh.png`, fullPage: true });
  await ctx.close();
}

// 2. The service centre dispatches, the department head assigns, the handler takes it to reply.
{
  const { ctx, page } = await signIn("supervisor");
  await page.goto(`${base}/complaints/${found.number}`);
  await act(page, "dispatch", { lead_department: "engineering" });
  assert.match(page.url(), /done=dispatch/);
  await ctx.close();
}
{
  const { ctx, page } = await signIn("depthead");
  await page.goto(`${base}/complaints/${found.number}`);
  await act(page, "assign", { handler: "handler" });
  assert.match(page.url(), /done=assign/);
  await ctx.close();
}
{
  const { ctx, page } = await signIn("handler");
  assert.ok((await page.locator("#mine").innerText()).includes(found.number), "the handler's queue has it");
  await page.goto(`${base}/complaints/${found.number}`);
  await act(page, "respond", { method: "call", content: "已电话联系业主，约定上门查看" });
  // A refused action keeps what was typed and marks the field.
  await act(page, "assess", { responsibility: "施工单位" });
  assert.equal(await page.inputValue("#action-assess input[name=responsibility]"), "施工单位");
  assert.ok(await page.locator("#action-assess label.invalid textarea[name=facts]").count() === 1);
  await page.screenshot({ path: `${shots}/action-error.png`, fullPage: true });
  await act(page, "assess", { facts: "楼上卫生间防水层破损", reasonableness: "reasonable" });
  await act(page, "reply", { content: "已修复楼上防水层并修补天花板<b>完毕</b>" });
  assert.match(page.url(), /done=reply/);
  assert.ok((await page.locator("#timeline").innerText()).includes("答复"));
  await page.screenshot({ path: `${shots}/complaint-replied.png`, fullPage: true });
  // The list, in English too.
  await page.goto(`${base}/complaints?state=replied`);
  assert.ok((await page.locator("#complaints").innerText()).includes(found.number));
  await page.click("a.lang");
  await page.goto(`${base}/complaints`);
  assert.equal(await page.locator("header nav a.on").innerText(), "Complaints");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.screenshot({ path: `${shots}/list-en.png`, fullPage: true });
  await ctx.close();
}

// 3. The owner, on a phone, tracks the complaint, confirms the result and rates the service.
{
  const ctx = await browser.newContext(phone);
  const page = await ctx.newPage();
  await page.goto(`${base}/portal/track`);
  await page.fill("input[name=number]", found.number);
  await page.fill("input[name=phone]", "13900000000");
  await page.click("button.primary");
  assert.ok(await page.locator("p.alert").isVisible(), "a wrong phone reveals nothing");
  assert.equal((await page.content()).includes("卫生间天花板漏水"), false);
  await page.fill("input[name=phone]", "138 0013 8000");
  await page.click("button.primary");
  assert.equal(await page.locator("#state").innerText(), "已答复");
  assert.ok((await page.locator("#replies").innerText()).includes("已修复楼上防水层并修补天花板<b>完毕</b>"));
  await page.screenshot({ path: `${shots}/portal-status.png`, fullPage: true });
  await page.click("#confirm");
  await page.waitForLoadState("load");
  assert.equal(await page.locator("#state").innerText(), "待回访");
  await page.selectOption("#rate select[name=satisfaction]", "satisfied");
  await page.fill("#rate textarea[name=remarks]", "维修及时");
  await page.click("#rate button.primary");
  await page.waitForLoadState("load");
  assert.ok(await page.locator("p.notice").isVisible());
  found.owner_state = await page.locator("#state").innerText();
  await page.screenshot({ path: `${shots}/portal-rated.png`, fullPage: true });

  // Filing on the portal: a bad phone is marked and the text kept; then it goes through.
  await page.goto(`${base}/portal`);
  await page.selectOption("select[name=project_code]", "SH-001");
  await page.fill("input[name=name]", "李四");
  await page.fill("input[name=phone]", "555");
  await page.fill("input[name=subject]", "电梯困人");
  await page.fill("textarea[name=description]", "3号楼电梯困人十分钟");
  await page.click("#file button.primary");
  assert.equal(await page.inputValue("input[name=subject]"), "电梯困人");
  assert.ok(await page.locator("label.invalid >> input[name=phone]").count() === 1);
  await page.fill("input[name=phone]", "13700137000");
  await page.click("#file button.primary");
  found.portal_number = await page.locator("#number").innerText();
  assert.match(found.portal_number, /^KS-\d{6}-\d{5}$/);
  await page.screenshot({ path: `${shots}/portal-filed.png`, fullPage: true });
  await page.click("#tracking-link");
  assert.equal(await page.locator("#state").innerText(), "已受理");
  await ctx.close();
}

await browser.close();
console.log(JSON.stringify(found));
