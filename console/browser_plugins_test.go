package console_test

import (
	"strconv"
	"strings"
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
		b.run(t, "look at 230103 and 230102",
			chromedp.SendKeys(chromedp.CSS(`#check-tenant`), "230103"),
			chromedp.Click(chromedp.CSS(`#grant-check button`)),
			chromedp.WaitVisible(chromedp.CSS(`#check-result p[data-granted]`)),
			text(`#check-result`, &at230103),
			chromedp.SetValue(chromedp.CSS(`#check-tenant`), "230102"),
			chromedp.Click(chromedp.CSS(`#grant-check button`)),
			chromedp.WaitVisible(chromedp.CSS(`#check-result p[data-granted="true"]`)),
			text(`#check-result`, &at230102))
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
			eval(`document.querySelector('article[data-plugin="credit-check"] .health .badge.state').dataset.state`, &state),
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
		b.shot(t, "plugins")
	})
}
