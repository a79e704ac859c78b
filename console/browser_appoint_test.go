package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestBrowserAppoint starts where the README's first command does: a new kernel whose
// only user is the bootstrap superadmin. In the console alone, the superadmin
// appoints the three administrators (a person named twice is refused at the field,
// the password typed twice must match), is retired, and the new security
// administrator signs in and sees the tenant tree.
func TestBrowserAppoint(t *testing.T) {
	exe := chromiumPath(t)
	s := kerneltest.Start(t, kerneltest.Options{})
	b := openBrowser(t, exe, s)
	const password = "first-day-2020"

	b.run(t, "sign in as the superadmin",
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=password]`), kerneltest.AdminPassword),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
		ready("appoint"),
		chromedp.WaitVisible(chromedp.CSS(`#appoint-holders table`)))
	var nav, holders string
	b.run(t, "the superadmin's menu", text(`#nav`, &nav), text(`#appoint-holders`, &holders))
	if strings.TrimSpace(nav) != "任命三员" {
		t.Errorf("the superadmin's menu is %q, not only the appointment", nav)
	}
	if strings.Count(holders, "空缺") != 3 {
		t.Errorf("a new kernel has three vacancies: %q", holders)
	}
	b.shot(t, "appoint")

	fill := func(system, security, audit, pw2 string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			js(`document.querySelectorAll("#appoint input").forEach(i => { i.value = ""; })`),
			chromedp.SendKeys(chromedp.CSS(`#appoint input[name=system]`), system),
			chromedp.SendKeys(chromedp.CSS(`#appoint input[name=security]`), security),
			chromedp.SendKeys(chromedp.CSS(`#appoint input[name=audit]`), audit),
			chromedp.SendKeys(chromedp.CSS(`#appoint input[name=password]`), password),
			chromedp.SendKeys(chromedp.CSS(`#appoint input[name=password2]`), pw2),
			chromedp.Click(chromedp.CSS(`#appoint-submit`)))
	}
	var sameErr, pwErr string
	b.run(t, "one person for two duties",
		fill("zhang.sys", "zhang.sys", "wang.audit", password),
		chromedp.WaitVisible(chromedp.CSS(`[data-for=security] div`)),
		text(`[data-for=security]`, &sameErr))
	if !strings.Contains(sameErr, "系统管理员") || !strings.Contains(sameErr, "三个不同的人") {
		t.Errorf("the same person twice is refused at the field with %q", sameErr)
	}
	b.run(t, "passwords that differ",
		fill("zhang.sys", "li.sec", "wang.audit", password+"x"),
		chromedp.WaitVisible(chromedp.CSS(`[data-for=password2] div`)),
		text(`[data-for=password2]`, &pwErr))
	if !strings.Contains(pwErr, "不一致") {
		t.Errorf("different passwords are refused at the field with %q", pwErr)
	}
	// Nothing was sent: no user exists yet.
	if _, _, n, err := s.K.Identity().ListUsers(context.Background(), "", 10, 0); err != nil || n != 1 {
		t.Fatalf("refused forms created users: %d users (%v)", n, err)
	}

	var done string
	b.run(t, "appoint",
		fill("zhang.sys", "li.sec", "wang.audit", password),
		chromedp.WaitVisible(chromedp.CSS(`#appoint-done`)),
		text(`#appoint-done`, &done))
	b.run(t, "holders", text(`#appoint-holders`, &holders))
	if !strings.Contains(done, "li.sec") || !strings.Contains(done, "超级管理员已停用") || strings.Contains(holders, "空缺") || !strings.Contains(holders, "wang.audit") {
		t.Errorf("after appointing: %q; holders %q", done, holders)
	}
	b.shot(t, "appoint-done")
	if r := s.Do(t, "", `mutation{login(username:"admin", password:"`+kerneltest.AdminPassword+`"){token}}`, nil); r.Code() == "" {
		t.Errorf("the superadmin still signs in after the appointment: %s", r.Body)
	}

	b.run(t, "sign out and in as the security administrator",
		js(`document.getElementById("appoint-signout").click()`),
		chromedp.WaitVisible(chromedp.CSS(`#login input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=username]`), "li.sec"),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
		ready("tenants"))
	b.run(t, "the tree", text(`#nav`, &nav))
	if strings.Contains(nav, "任命三员") || !strings.Contains(nav, "租户") {
		t.Errorf("the security administrator's menu: %q", nav)
	}
}
