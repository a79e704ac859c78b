package console_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

// TestBrowserPlugins installs the credit-check reference plugin through the console
// (a wrong checksum refused at its field first), grants it to 道里区 and not to
// 南岗区, calls it, and sees it running with the call counted in the catalog.
func TestBrowserPlugins(t *testing.T) {
	chromiumPath(t)
	bin, err := plugintest.Build("../plugins/credit-check", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)

	step(t, "empty catalog", func(t *testing.T) {
		b.signIn(t, kerneltest.SecurityAdmin)
		var nav, page string
		b.run(t, "menu", text(`#nav`, &nav))
		if !strings.Contains(nav, "插件") {
			t.Fatalf("the menu does not offer the plugins to the security administrator: %q", nav)
		}
		b.goTo(t, "plugins")
		b.run(t, "catalog", text(`main`, &page))
		if !strings.Contains(page, "尚未安装插件") {
			t.Errorf("an empty catalog says %q", page)
		}
	})

	step(t, "install: a wrong checksum is refused at its field", func(t *testing.T) {
		b.run(t, "open the form", chromedp.Click(chromedp.CSS(`#install-plugin`)), ready("plugins/install"))
		wrong := strings.Repeat("ab", 32)
		var refusal string
		b.run(t, "install with a wrong checksum",
			chromedp.SendKeys(chromedp.CSS(`#plugin-id`), "credit-check"),
			chromedp.SendKeys(chromedp.CSS(`#plugin-binary`), bin.Path),
			chromedp.SendKeys(chromedp.CSS(`#plugin-sha256`), wrong),
			chromedp.Click(chromedp.CSS(`#plugin-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/sha256"].invalid .field-error div`)),
			text(`[data-path="/spec/sha256"] .field-error`, &refusal))
		if !strings.Contains(refusal, "checksum differs") || !strings.Contains(refusal, bin.SHA256) || !strings.Contains(refusal, "VALIDATION_FAILED") {
			t.Errorf("the refusal at the checksum field says %q, want the server's reason with the binary's real checksum", refusal)
		}
		b.shot(t, "plugin-install")
		if d := b.s.MustDo(t, admin, `{plugins{id}}`, nil); len(d["plugins"].([]any)) != 0 {
			t.Fatalf("a binary with a wrong checksum was installed: %v", d)
		}

		var done string
		b.run(t, "install with the right checksum",
			chromedp.SetValue(chromedp.CSS(`#plugin-sha256`), bin.SHA256),
			chromedp.Click(chromedp.CSS(`#plugin-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`#plugin-installed`)),
			text(`#plugin-installed`, &done))
		if !strings.Contains(done, "credit-check 1.0.0") {
			t.Errorf("after install the form says %q", done)
		}
		d := b.s.MustDo(t, admin, `{plugins{id sha256 binary}}`, nil)
		if l := d["plugins"].([]any); len(l) != 1 || l[0].(map[string]any)["sha256"] != bin.SHA256 {
			t.Fatalf("the catalog after install: %v", d)
		}
	})

	step(t, "grant to 230102, not to 230103", func(t *testing.T) {
		b.run(t, "to the grants", chromedp.Click(chromedp.CSS(`#plugin-installed a[href="#/plugins/credit-check/grants"]`)), ready("plugins/credit-check/grants"))
		var row string
		b.run(t, "grant graphql at 230102",
			chromedp.WaitVisible(chromedp.CSS(`#no-grants`)),
			chromedp.SendKeys(chromedp.CSS(`#grant-tenant`), "230102"),
			chromedp.Click(chromedp.CSS(`#grant-form input[value=actions]`)),
			chromedp.Click(chromedp.CSS(`#grant-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`#grants tr[data-tenant="230102"]`)),
			text(`#grants tr[data-tenant="230102"]`, &row))
		if !strings.Contains(row, "道里区") || !strings.Contains(row, "GraphQL 字段") || strings.Contains(row, "流程动作") {
			t.Errorf("the grant at 230102 reads %q, want 道里区 with the GraphQL capability only", row)
		}
		var at230103, at230102 string
		b.run(t, "look at 230102 and 230103",
			chromedp.SendKeys(chromedp.CSS(`#check-tenant`), "230102"),
			chromedp.Click(chromedp.CSS(`#grant-check button`)),
			chromedp.WaitVisible(chromedp.CSS(`#check-result p[data-granted]`)),
			text(`#check-result`, &at230102),
			chromedp.SetValue(chromedp.CSS(`#check-tenant`), "230103"),
			chromedp.Click(chromedp.CSS(`#grant-check button`)),
			chromedp.WaitVisible(chromedp.CSS(`#check-result p[data-granted="false"]`)),
			text(`#check-result`, &at230103))
		if !strings.Contains(at230103, "南岗区 230103 未授权") || !strings.Contains(at230102, "道里区 230102 已授权") {
			t.Errorf("at 230103: %q; at 230102: %q", at230103, at230102)
		}
		b.shot(t, "plugin-grants")

		// What the kernel says: the field exists at 230102 only.
		if r := b.s.Data(t, "230103", admin, `{creditCheck{status(uscc:"91230102MA1AB3CD4E"){score}}}`, nil); len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, `Cannot query field "creditCheck"`) {
			t.Errorf("230103 has the plugin's field: %s", r.Body)
		}
	})

	step(t, "health after a call", func(t *testing.T) {
		r := b.s.Data(t, "230102", admin, `{creditCheck{status(uscc:"91230102MA1AB3CD4E"){name score}}}`, nil)
		if len(r.Errors) > 0 || !strings.Contains(r.Body, `"score":92`) {
			t.Fatalf("the call at 230102: %s", r.Body)
		}
		b.goTo(t, "plugins")
		var state, calls, errs, card string
		b.run(t, "the catalog",
			eval(`document.querySelector('article[data-plugin="credit-check"] .health-state').dataset.state`, &state),
			text(`article[data-plugin="credit-check"] [data-figure=calls] strong`, &calls),
			text(`article[data-plugin="credit-check"] [data-figure=errors] strong`, &errs),
			text(`article[data-plugin="credit-check"]`, &card))
		if n, _ := strconv.Atoi(calls); state != "running" || n < 1 || errs != "0" {
			t.Errorf("after a call the catalog says state %q, %s calls, %s errors", state, calls, errs)
		}
		for _, want := range []string{"企业信用核查", "v1.0.0", bin.SHA256, bin.Path, "GraphQL 字段", "流程动作", "creditCheck", "运行中", "最近启动于", "没有故障"} {
			if !strings.Contains(card, want) {
				t.Errorf("the catalog's card lacks %q: %q", want, card)
			}
		}
	})

	step(t, "a crash is counted and listed", func(t *testing.T) {
		killPlugin(t, bin.Path)
		// The kernel notices within 50 ms and starts the plugin again at once.
		b.goTo(t, "plugins")
		b.run(t, "crash counted", poll(`(async () => {
			const el = document.querySelector('article[data-plugin="credit-check"] [data-figure=crashes] strong');
			if (el && el.textContent === "1") return true;
			await new Promise(r => setTimeout(r, 100));
			document.getElementById("refresh").click();
			return false;
		})()`))
		b.goTo(t, "plugins")
		var faults, state string
		b.run(t, "faults", text(`article[data-plugin="credit-check"] table.faults`, &faults),
			eval(`document.querySelector('article[data-plugin="credit-check"] .health-state').dataset.state`, &state))
		if !strings.Contains(faults, "崩溃") || !strings.Contains(faults, "exited") {
			t.Errorf("the recent faults after a crash: %q", faults)
		}
		if r := b.s.Data(t, "230102", admin, `{creditCheck{status(uscc:"91230102MA1AB3CD4E"){score}}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("the plugin does not answer after its crash: %s", r.Body)
		}
		b.goTo(t, "plugins")
		b.run(t, "running again", eval(`document.querySelector('article[data-plugin="credit-check"] .health-state').dataset.state`, &state))
		if state != "running" {
			t.Errorf("after a crash and a call the plugin is %q", state)
		}
		b.shot(t, "plugins")

		var card string
		b.run(t, "in English",
			switchLanguage("en"),
			poll(`document.documentElement.lang === "en" && !!document.querySelector('main[data-route="plugins"]:not([aria-busy]) article[data-plugin="credit-check"]')`),
			text(`article[data-plugin="credit-check"]`, &card),
			switchLanguage("zh-CN"),
			poll(`document.documentElement.lang === "zh-CN"`))
		for _, want := range []string{"Recent faults (1)", "crash", "crashes (restarts)", "GraphQL fields", "Permissions asked", "running"} {
			if !strings.Contains(card, want) {
				t.Errorf("the card in English lacks %q: %q", want, card)
			}
		}
	})

	step(t, "grant and revoke at 230103", func(t *testing.T) {
		b.goTo(t, "plugins/credit-check/grants")
		b.run(t, "grant at 230103",
			chromedp.SendKeys(chromedp.CSS(`#grant-tenant`), "230103"),
			chromedp.Click(chromedp.CSS(`#grant-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`#grants tr[data-tenant="230103"]`)))
		if r := b.s.Data(t, "230103", admin, `{creditCheck{status(uscc:"91230102MA1AB3CD4E"){score}}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("230103 after granting it: %s", r.Body)
		}
		var rows int
		b.run(t, "revoke at 230103",
			js(`window.confirm = () => true`),
			chromedp.Click(chromedp.CSS(`#grants tr[data-tenant="230103"] button.revoke`)),
			poll(`!document.querySelector('#grants tr[data-tenant="230103"]') && !!document.querySelector('#grants tr[data-tenant="230102"]')`),
			eval(`document.querySelectorAll("#grants tr[data-tenant]").length`, &rows))
		if rows != 1 {
			t.Errorf("after revoking at 230103, %d grants are listed", rows)
		}
		if r := b.s.Data(t, "230103", admin, `{creditCheck{status(uscc:"91230102MA1AB3CD4E"){score}}}`, nil); len(r.Errors) == 0 {
			t.Errorf("230103 keeps the field after its grant was revoked: %s", r.Body)
		}
	})

	step(t, "a reader is offered no changes", func(t *testing.T) {
		b.signInAsReader(t, admin, reader{user: "plugin.reader", home: "230000", role: "plugin-reader", roleTenant: "230000",
			binding: "plugin-reader", bindAt: "230000", reads: []string{"tenants", "Plugin", "PluginGrant"}})
		var offered int
		var card string
		b.goTo(t, "plugins")
		b.run(t, "catalog", text(`article[data-plugin="credit-check"]`, &card),
			eval(`document.querySelectorAll("#install-plugin, .upgrade, .remove-plugin").length`, &offered))
		if offered != 0 || !strings.Contains(card, bin.SHA256) {
			t.Errorf("a reader is offered %d installs, upgrades or removals; the card: %q", offered, card)
		}
		b.goTo(t, "plugins/credit-check/grants")
		var grants, readonly string
		b.run(t, "grants", text(`#grants`, &grants), text(`#grant-readonly`, &readonly),
			eval(`document.querySelectorAll("#grant-form, #grants button").length`, &offered))
		if offered != 0 || !strings.Contains(grants, "230102") || !strings.Contains(readonly, "PluginGrant") {
			t.Errorf("a reader is offered %d grant controls (grants %q, note %q)", offered, grants, readonly)
		}
		b.goTo(t, "plugins/install")
		b.run(t, "install page", eval(`document.querySelectorAll("#plugin-install").length`, &offered))
		if offered != 0 {
			t.Errorf("a reader is offered the install form")
		}
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
		b.signIn(t, kerneltest.SecurityAdmin)
	})

	step(t, "upgrade, then remove with confirmation", func(t *testing.T) {
		b.goTo(t, "plugins")
		var refusal, done string
		b.run(t, "upgrade as another plugin",
			chromedp.Click(chromedp.CSS(`article[data-plugin="credit-check"] a.upgrade`)),
			ready("plugins/install"),
			chromedp.WaitVisible(chromedp.CSS(`#plugin-mode`)),
			chromedp.SetValue(chromedp.CSS(`#plugin-id`), "notify"),
			chromedp.SendKeys(chromedp.CSS(`#plugin-binary`), bin.Path),
			chromedp.SendKeys(chromedp.CSS(`#plugin-sha256`), bin.SHA256),
			chromedp.SendKeys(chromedp.CSS(`#plugin-timeout`), "1500"),
			chromedp.Click(chromedp.CSS(`#plugin-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/metadata/name"].invalid .field-error div`)),
			text(`[data-path="/metadata/name"] .field-error`, &refusal))
		if !strings.Contains(refusal, `the binary is plugin "credit-check", not "notify"`) {
			t.Errorf("an upgrade naming another plugin is refused at its field with %q", refusal)
		}
		b.run(t, "upgrade",
			chromedp.SetValue(chromedp.CSS(`#plugin-id`), "credit-check"),
			chromedp.Click(chromedp.CSS(`#plugin-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`#plugin-installed`)),
			text(`#plugin-installed`, &done))
		d := b.s.MustDo(t, admin, `{resource(kind:"Plugin", tenant:"230000", name:"credit-check"){spec}}`, nil)
		if !strings.Contains(done, "已升级 credit-check") || d["resource"].(map[string]any)["spec"].(map[string]any)["timeoutMs"] != float64(1500) {
			t.Errorf("after the upgrade the form says %q and the catalog entry is %v", done, d)
		}

		b.goTo(t, "plugins")
		b.run(t, "remove, declining first",
			js(`window.confirm = () => false`),
			chromedp.Click(chromedp.CSS(`article[data-plugin="credit-check"] button.remove-plugin`)))
		if d := b.s.MustDo(t, admin, `{plugins{id}}`, nil); len(d["plugins"].([]any)) != 1 {
			t.Fatalf("the plugin was removed without confirmation: %v", d)
		}
		b.run(t, "remove",
			js(`window.confirm = () => true`),
			chromedp.Click(chromedp.CSS(`article[data-plugin="credit-check"] button.remove-plugin`)),
			chromedp.WaitVisible(chromedp.CSS(`#no-plugins`)))
		d = b.s.MustDo(t, admin, `{plugins{id} resources(kind:"PluginGrant", tenant:"230000", subtree:true){totalCount}}`, nil)
		if len(d["plugins"].([]any)) != 0 || d["resources"].(map[string]any)["totalCount"] != float64(0) {
			t.Errorf("after removal: %v", d)
		}
	})
}

// killPlugin kills the running process of the plugin binary at path, found by its
// executable among this machine's processes: a crash the kernel did not cause.
func killPlugin(t *testing.T, path string) {
	t.Helper()
	// The kernel runs the sealed copy of the binary it checked (ADR 27), which
	// /proc/PID/exe names /memfd:gdbos-plugin-NAME; only this test's own children.
	copyName := "/memfd:gdbos-plugin-" + filepath.Base(path)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		exe, err := os.Readlink(filepath.Join(d, "exe"))
		if err != nil || exe != path && !strings.HasPrefix(exe, copyName) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so count from its ")".
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", pid, err)
		}
		return
	}
	t.Fatalf("no process of this test runs %s", path)
}
