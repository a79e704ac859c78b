package console_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// The browser tests drive Debian's Chromium through the console as an administrator
// would. They skip when no Chromium is installed; .ci/run installs it.
//
//	go test ./console/ -run Browser -v
//	go test ./console/ -run Browser -screenshots    # or GDBOS_SCREENSHOTS=1: rewrites docs/screenshots/*.png
var screenshots = flag.Bool("screenshots", false, "write screenshots of the main pages to docs/screenshots")

// chromiumPath finds Chromium, or skips the test.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("GDBOS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	tb.Skip("no Chromium: install Debian's chromium (apt-get install -y chromium) or set GDBOS_CHROMIUM to run the browser tests")
	return ""
}

// browser is one headless Chromium tab on a test kernel with the Harbin demo applied.
type browser struct {
	s   *kerneltest.Server
	ctx context.Context

	mu   sync.Mutex
	errs []string // uncaught exceptions and console errors (CSP violations among them)
}

func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	exe := chromiumPath(tb)
	s := kerneltest.Start(tb, kerneltest.Options{})
	admin := s.Admin(tb)
	applyDir(tb, s, admin, "../examples/harbin")
	return openBrowser(tb, exe, s)
}

// openBrowser starts headless Chromium (exe, from chromiumPath) on the console of s.
func openBrowser(tb testing.TB, exe string, s *kerneltest.Server) *browser {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &browser{s: s, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		tb.Fatalf("start chromium: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				text := m.Text
				if len(text) > 300 {
					text = text[:300] + "…"
				}
				b.record(string(m.Type) + ": " + text + " (" + m.URL + ")")
			}
		}
	}()
	tb.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	return b
}

func (b *browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, s)
}

// run runs actions with a deadline and fails the test with what the page said.
func (b *browser) run(tb testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
		tb.Fatalf("%s: %v\npage says: %s\nbrowser errors: %v", what, err, body, b.errors())
	}
	if errs := b.errors(); len(errs) > 0 {
		tb.Fatalf("%s: the page reported errors: %v", what, errs)
	}
}

// errors returns the errors the page reported since the last call.
func (b *browser) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.errs
	b.errs = nil
	return errs
}

// ready waits until the page for route has rendered.
func ready(route string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(fmt.Sprintf(`main[data-route=%q]:not([aria-busy])`, route))
}

func (b *browser) goTo(tb testing.TB, route string) {
	tb.Helper()
	// Forget the rendered route first, so that ready waits for this render; the same
	// hash again fires no hashchange by itself.
	b.run(tb, "open "+route, js(fmt.Sprintf(`(() => {
		delete document.getElementById("main").dataset.route;
		const h = %q;
		if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange")); else location.hash = h;
	})()`, "#/"+route)), ready(strings.SplitN(route, "?", 2)[0]))
}

func (b *browser) signIn(tb testing.TB, user string) {
	tb.Helper()
	b.run(tb, "sign in as "+user,
		chromedp.Navigate(b.s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=username]`), user),
		chromedp.SendKeys(chromedp.CSS(`#login input[name=password]`), kerneltest.AdminPassword),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#logout`)),
		ready("tenants"),
	)
}

// shot saves a screenshot of the page as docs/screenshots/name.png when asked to.
func (b *browser) shot(tb testing.TB, name string) {
	tb.Helper()
	if !*screenshots && os.Getenv("GDBOS_SCREENSHOTS") == "" {
		return
	}
	var png []byte
	b.run(tb, "screenshot "+name, chromedp.Sleep(150*time.Millisecond), store(chromedp.CaptureScreenshot(), &png))
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// reader is a user who may only read some kinds, for the walks that check what such
// a user is offered.
type reader struct {
	user, home       string   // the username and home tenant
	role, roleTenant string   // the role, defined at roleTenant
	binding, bindAt  string   // the binding's name and tenant
	reads            []string // the kinds and areas the role reads
	also             string   // more YAML applied with them, or ""
}

// signInAsReader creates r's user, role and binding as admin, signs out whoever is
// signed in and signs r in.
func (b *browser) signInAsReader(tb testing.TB, admin string, r reader) {
	tb.Helper()
	b.s.MustDo(tb, admin, `mutation($u:String!,$p:String!,$h:String!){createUser(input:{username:$u,password:$p,homeTenant:$h}){id}}`,
		map[string]any{"u": r.user, "p": kerneltest.AdminPassword, "h": r.home})
	yaml := fmt.Sprintf(`apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: %q, name: %s}
spec: {permissions: [{resources: [%s], actions: [read]}]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: %q, name: %s}
spec: {role: %s, roleTenant: %q, subjects: [{kind: User, name: %s}]}
`, r.roleTenant, r.role, strings.Join(r.reads, ", "), r.bindAt, r.binding, r.role, r.roleTenant, r.user)
	if r.also != "" {
		yaml = r.also + "\n---\n" + yaml
	}
	if res := b.s.Apply(tb, admin, yaml); len(res.Errors) > 0 {
		tb.Fatalf("bind the reader %s: %s", r.user, res.Body)
	}
	b.run(tb, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
	b.signIn(tb, r.user)
}

func applyDir(tb testing.TB, s *kerneltest.Server, token, dir string) {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var docs []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, string(raw))
	}
	if r := s.Apply(tb, token, strings.Join(docs, "\n---\n")); len(r.Errors) > 0 {
		tb.Fatalf("apply %s: %s", dir, r.Body)
	}
}

func text(sel string, out *string) chromedp.Action[chromedp.Void] {
	return store(chromedp.Text(chromedp.CSS(sel)), out)
}

func value(sel string, out *string) chromedp.Action[chromedp.Void] {
	return store(chromedp.Value(chromedp.CSS(sel)), out)
}

func eval[T any](expr string, out *T) chromedp.Action[chromedp.Void] {
	return store(chromedp.Evaluate[T](expr), out)
}

// switchLanguage picks lang in the header's switch in one step: the header is drawn
// anew after sign-in and after each switch, so a node found in one step may be gone in
// the next.
func switchLanguage(lang string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => { const s = document.getElementById("lang"); s.value = %q; s.dispatchEvent(new Event("change")); })()`, lang))
}

func js(expr string) chromedp.Action[chromedp.Void] {
	var ignore any
	return store(chromedp.Evaluate[any](expr), &ignore)
}

func poll(expr string, opts ...chromedp.PollOption) chromedp.Action[chromedp.Void] {
	var ignore any
	return store(chromedp.Poll[any](expr, opts...), &ignore)
}

// store runs an action that returns a value and keeps the value in out.
func store[T any](a chromedp.Action[T], out *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := a(ctx, t)
		*out = v
		return err
	})
}

// step runs one part of a walk through the console; the parts after a failed one
// are skipped, since each starts where the last ended.
func step(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	if t.Failed() {
		t.Run(name, func(t *testing.T) { t.Skip("an earlier step failed") })
		return
	}
	t.Run(name, fn)
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)

	step(t, "sign in", func(t *testing.T) {
		var msg string
		b.run(t, "wrong password",
			chromedp.Navigate(b.s.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#login input[name=username]`)),
			chromedp.SendKeys(chromedp.CSS(`#login input[name=username]`), kerneltest.SecurityAdmin),
			chromedp.SendKeys(chromedp.CSS(`#login input[name=password]`), "not-the-password"),
			chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#login .error`)),
			text(`#login .error`, &msg))
		if !strings.Contains(msg, "UNAUTHENTICATED") || !strings.Contains(msg, "invalid username or password") {
			t.Errorf("a refused sign-in shows %q, want the server's message and code", msg)
		}
		b.shot(t, "signin")
		b.signIn(t, kerneltest.SecurityAdmin)
		var nav, who string
		b.run(t, "shell", text(`#nav`, &nav), text(`#who`, &who))
		if who != kerneltest.SecurityAdmin || !strings.Contains(nav, "租户") {
			t.Errorf("after sign-in: who %q, nav %q", who, nav)
		}
		// The security administrator may not read the audit trail (三员): not offered.
		if strings.Contains(nav, "审计") {
			t.Errorf("the menu offers the audit log to the security administrator: %q", nav)
		}
	})

	step(t, "walk the tree to 道里区", func(t *testing.T) {
		b.goTo(t, "tenants")
		b.run(t, "expand 黑龙江省 and 哈尔滨市",
			chromedp.Click(chromedp.CSS(`li[data-code="230000"] > button.toggle`)),
			chromedp.WaitVisible(chromedp.CSS(`li[data-code="230100"]`)),
			chromedp.Click(chromedp.CSS(`li[data-code="230100"] > button.toggle`)),
			chromedp.WaitVisible(chromedp.CSS(`li[data-code="230102"]`)))
		b.shot(t, "tenants")
		var name, children, modules string
		b.run(t, "open 道里区",
			chromedp.Click(chromedp.CSS(`li[data-code="230102"] > a`)),
			ready("tenants/230102"),
			text(`#tenant-name`, &name), text(`.grid`, &children))
		if !strings.Contains(name, "道里区") || !strings.Contains(children, "兆麟街道") {
			t.Fatalf("tenant page: name %q, cards %q", name, children)
		}
		modules = children
		if !strings.Contains(modules, "catalog") || !strings.Contains(modules, "230000 → 230100 → 230102") && !strings.Contains(modules, "230100 → 230102") {
			t.Errorf("the tenant page does not show the catalog module in force with its layers: %q", modules)
		}
		if !strings.Contains(children, "daoli-admin") {
			t.Errorf("the tenant page does not list 道里区's administrators: %q", children)
		}
		b.shot(t, "tenant")

		var found string
		b.goTo(t, "tenants")
		b.run(t, "search",
			chromedp.SendKeys(chromedp.CSS(`#tenant-search`), "道里"),
			chromedp.WaitVisible(chromedp.CSS(`ul.results a[href="#/tenants/230102"]`)),
			text(`ul.results`, &found))
		if strings.Contains(found, "哈尔滨市") {
			t.Errorf("search for 道里 lists %q", found)
		}
	})

	step(t, "lock refusal at the field", func(t *testing.T) {
		admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
		// The province locks the catalog's /settings/guideTemplate after 道里区 overrode it.
		if r := b.s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: Module
metadata: {tenant: "230000", name: catalog}
spec: {enabled: true, settings: {guideTemplate: province-standard}}
locks: [/settings/guideTemplate]
`); len(r.Errors) > 0 {
			t.Fatalf("lock at the province: %s", r.Body)
		}
		b.goTo(t, "r/Module/230102/catalog")
		var badge string
		b.run(t, "lock shown", text(`[data-path="/spec/settings"] .origin`, &badge))
		b.run(t, "edit and save",
			chromedp.SetValue(chromedp.CSS(`textarea[name="/spec/settings"]`), `{"guideTemplate": "daoli-own"}`),
			chromedp.Click(chromedp.CSS(`#save`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/settings"].invalid .field-error div`)))
		var refusal string
		b.run(t, "read refusal", text(`[data-path="/spec/settings"] .field-error`, &refusal))
		if !strings.Contains(refusal, "LOCKED") || !strings.Contains(refusal, "230000") {
			t.Errorf("the refusal at the field says %q, want LOCKED by 230000", refusal)
		}
		b.shot(t, "resource-locked")

		// A value of the wrong type: VALIDATION_FAILED at its field.
		var invalid string
		b.goTo(t, "r/Module/230102/catalog")
		b.run(t, "invalid settings",
			chromedp.SetValue(chromedp.CSS(`textarea[name="/spec/settings"]`), `"not an object"`),
			chromedp.Click(chromedp.CSS(`#save`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/settings"].invalid .field-error div`)),
			text(`[data-path="/spec/settings"] .field-error`, &invalid))
		if !strings.Contains(invalid, "VALIDATION_FAILED") {
			t.Errorf("the validation error at the field says %q", invalid)
		}

		// The inheritance view names the lock and who set it.
		var explain string
		b.goTo(t, "r/Module/230102/catalog?tab=inheritance")
		b.run(t, "explain", text(`#explain`, &explain))
		if !strings.Contains(explain, "/spec/settings/guideTemplate") || !strings.Contains(explain, "被 230000 锁定") {
			t.Errorf("the inheritance view says %q", explain)
		}
		b.shot(t, "resource-inheritance")
	})

	step(t, "history, diff and revert", func(t *testing.T) {
		var hist, diff string
		for i, settings := range []string{`{"guideTemplate": "province-standard"}`, `{"guideTemplate": "province-standard", "mapLayer": "osm"}`} {
			b.goTo(t, "r/Module/230102/catalog")
			b.run(t, fmt.Sprintf("save v%d", i+2),
				chromedp.SetValue(chromedp.CSS(`textarea[name="/spec/settings"]`), settings),
				chromedp.Click(chromedp.CSS(`#save`)),
				chromedp.WaitVisible(chromedp.CSS(`.status p.ok`)))
		}
		b.goTo(t, "r/Module/230102/catalog?tab=history")
		b.run(t, "history", text(`#history`, &hist), text(`.diff`, &diff))
		if !strings.Contains(hist, "v3") || !strings.Contains(diff, "/spec/settings/mapLayer") {
			t.Fatalf("history %q, diff %q", hist, diff)
		}
		b.shot(t, "resource-history")
		b.run(t, "revert to v2",
			js(`window.confirm = () => true`),
			chromedp.Click(chromedp.CSS(`#history tr:nth-child(3) button:last-child`)),
			chromedp.WaitVisible(chromedp.CSS(`main:not([aria-busy]) #history tr:nth-child(5)`)))
		var spec string
		b.goTo(t, "r/Module/230102/catalog?tab=yaml")
		b.run(t, "yaml", value(`#yaml`, &spec))
		if strings.Contains(spec, "mapLayer") || !strings.Contains(spec, "province-standard") || !strings.Contains(spec, "version: 4") {
			t.Errorf("after revert to v2 the YAML is %q", spec)
		}
	})

	step(t, "create a Role from its schema's form", func(t *testing.T) {
		b.goTo(t, "new/Role/230102")
		add := func(path string) chromedp.Action[chromedp.Void] {
			return chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-path=%q] > div > button.add`, path)))
		}
		var missing string
		b.run(t, "a permission without actions",
			chromedp.SendKeys(chromedp.CSS(`#resource-name`), "daoli-viewer"),
			add("/spec/permissions"),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/permissions/0/resources"]`)),
			add("/spec/permissions/0/resources"),
			chromedp.SendKeys(chromedp.CSS(`input[name="/spec/permissions/0/resources/0"]`), "tenants"),
			chromedp.Click(chromedp.CSS(`#save`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/permissions/0/actions"].invalid .field-error div`)),
			text(`[data-path="/spec/permissions/0/actions"] .field-error`, &missing))
		if !strings.Contains(missing, "VALIDATION_FAILED") || !strings.Contains(missing, "required") {
			t.Errorf("a permission without actions is refused at its field with %q", missing)
		}
		b.run(t, "add an action and create",
			add("/spec/permissions/0/actions"),
			chromedp.SetValue(chromedp.CSS(`select[name="/spec/permissions/0/actions/0"]`), "0"),
			chromedp.Click(chromedp.CSS(`#save`)),
			ready("r/Role/230102/daoli-viewer"))
		admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
		d := b.s.MustDo(t, admin, `{resource(kind:"Role", tenant:"230102", name:"daoli-viewer"){spec}}`, nil)
		if got := fmt.Sprint(d["resource"].(map[string]any)["spec"]); got != "map[permissions:[map[actions:[read] resources:[tenants]]]]" {
			t.Errorf("the form created %s", got)
		}
	})

	step(t, "switch to English", func(t *testing.T) {
		var nav, htmlLang string
		b.run(t, "switch",
			switchLanguage("en"),
			chromedp.WaitVisible(chromedp.CSS(`#logout`)),
			poll(`document.documentElement.lang === "en" && document.getElementById("nav").textContent.includes("Tenants")`),
			text(`#nav`, &nav), eval(`document.documentElement.lang`, &htmlLang))
		if !strings.Contains(nav, "Resources") || strings.Contains(nav, "租户") || htmlLang != "en" {
			t.Errorf("after switching: nav %q, lang %q", nav, htmlLang)
		}
		b.goTo(t, "tenants/230102")
		var page string
		b.run(t, "tenant page in English", text(`main`, &page))
		if !strings.Contains(page, "Children") || !strings.Contains(page, "Administrators") {
			t.Errorf("the tenant page in English: %q", page)
		}
		b.shot(t, "tenant-en")
		b.run(t, "back to Chinese",
			switchLanguage("zh-CN"),
			poll(`document.documentElement.lang === "zh-CN"`))
	})

	step(t, "GraphiQL", func(t *testing.T) {
		var loadedBefore bool
		b.run(t, "not loaded elsewhere", eval(`typeof window.GraphiQL !== "undefined"`, &loadedBefore))
		if loadedBefore {
			t.Errorf("GraphiQL was loaded before its page was opened")
		}
		b.goTo(t, "graphiql")
		var result string
		b.run(t, "run a query",
			chromedp.WaitVisible(chromedp.CSS(`.graphiql-container`)),
			chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)),
			chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
			poll(`(document.querySelector(".result-window") || {}).textContent?.includes("黑龙江省")`, chromedp.WithPollingTimeout(20*time.Second)),
			text(`.result-window`, &result))
		if !strings.Contains(result, kerneltest.SecurityAdmin) {
			t.Errorf("GraphiQL's result: %q", result)
		}
		b.shot(t, "graphiql")
	})

	step(t, "calendar", func(t *testing.T) {
		admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
		// Harbin closes a day and opens a Sunday, for 道里区 too.
		if r := b.s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: Calendar
metadata: {tenant: "230100", name: local}
spec:
  closures: [{from: 2026-07-15, reason: 系统停机维护}]
  workingDays: [{date: 2026-07-19, reason: 集中办理日}]
`); len(r.Errors) > 0 {
			t.Fatalf("apply the Calendar: %s", r.Body)
		}
		b.goTo(t, "calendar/230102/2026")
		var holiday, adjusted, weekend, closure, extra, title string
		kindOf := func(date string, out *string) chromedp.Action[chromedp.Void] {
			return eval(fmt.Sprintf(`document.querySelector('td[data-date=%q]').dataset.kind`, date), out)
		}
		b.run(t, "year view",
			kindOf("2026-02-17", &holiday), kindOf("2026-02-14", &adjusted), kindOf("2026-03-07", &weekend),
			kindOf("2026-07-15", &closure), kindOf("2026-07-19", &extra),
			eval(`document.querySelector('td[data-date="2026-07-15"]').title`, &title))
		// 2026-02-17 is 春节; Saturday 2026-02-14 is worked in exchange (调休上班).
		if holiday != "holiday" || adjusted != "adjusted-workday" || weekend != "weekend" {
			t.Errorf("2026-02-17 is marked %q, 2026-02-14 %q, 2026-03-07 %q", holiday, adjusted, weekend)
		}
		if closure != "closure" || extra != "extra-workday" || !strings.Contains(title, "系统停机维护") || !strings.Contains(title, "230100") {
			t.Errorf("Harbin's closure is marked %q (%q), its working Sunday %q", closure, title, extra)
		}
		d := b.s.MustDo(t, admin, `{ addWorkingDays(tenant:"230102", from:"2026-02-12", days:20){ date } }`, nil)
		want, _ := d["addWorkingDays"].(map[string]any)["date"].(string)
		var got string
		b.run(t, "from 2026-02-12 + 20 working days",
			chromedp.SetValue(chromedp.CSS(`#add-days input[name=from]`), "2026-02-12"),
			chromedp.SetValue(chromedp.CSS(`#add-days input[name=days]`), "20"),
			chromedp.Click(chromedp.CSS(`#add-days button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#deadline-date`)),
			text(`#deadline-date`, &got))
		if want == "" || got != want {
			t.Errorf("the page says 2026-02-12 + 20 working days is %q, the API %q", got, want)
		}
		b.shot(t, "calendar")

	})

	step(t, "data standards", func(t *testing.T) {
		admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
		if r := b.s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: licenceNumber}
spec: {code: HL0001, name: 许可证编号, type: string, pattern: 'JY[0-9]{14}', minLength: 16, maxLength: 16}
---
apiVersion: gdbos.io/v1
kind: CodeTable
metadata: {tenant: "230000", name: licence-kinds}
spec:
  title: 许可证种类
  version: "2024"
  codes:
    "A":  {name: 食品经营}
    "A1": {name: 预包装食品销售, parent: "A", retired: true, successor: "A2"}
    "A2": {name: 食品销售, parent: "A"}
`); len(r.Errors) > 0 {
			t.Fatalf("apply the standards: %s", r.Body)
		}
		var elements, tables string
		b.goTo(t, "standards?tenant=230102")
		b.run(t, "standards", text(`#data-elements`, &elements), text(`#code-tables`, &tables))
		if !strings.Contains(elements, "HL0001") || !strings.Contains(elements, "许可证编号") || !strings.Contains(elements, "长度 16") {
			t.Errorf("the standards page lists the data elements %q", elements)
		}
		if !strings.Contains(tables, "divisions") || !strings.Contains(tables, "许可证种类") {
			t.Errorf("the standards page lists the code tables %q", tables)
		}
		b.shot(t, "standards")
		b.run(t, "open the element", chromedp.Click(chromedp.CSS(`#data-elements a[href="#/r/DataElement/230000/licenceNumber"]`)), ready("r/DataElement/230000/licenceNumber"))
	})

	step(t, "a reader is offered no edits", func(t *testing.T) {
		admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
		b.signInAsReader(t, admin, reader{user: "daoli.reader", home: "230102", role: "config-reader", roleTenant: "230000",
			binding: "daoli-reader", bindAt: "230102", reads: []string{"tenants", "Module", "RoleBinding"}})
		b.goTo(t, "r/Module/230102/catalog")
		var buttons string
		var saves, enabled int
		b.run(t, "read-only form",
			text(`.resource-form .buttons`, &buttons),
			eval(`document.querySelectorAll("#save, #dryrun, #delete").length`, &saves),
			eval(`[...document.querySelectorAll(".resource-form select, .resource-form textarea")].filter(e => !e.disabled).length`, &enabled))
		if saves != 0 || enabled != 0 || !strings.Contains(buttons, "只能查看") {
			t.Errorf("a reader sees %d save/delete buttons and %d enabled fields: %q", saves, enabled, buttons)
		}
		var kinds string
		b.goTo(t, "resources?tenant=230102")
		b.run(t, "kinds", text(`#kinds`, &kinds))
		if !strings.Contains(kinds, "Module") || strings.Contains(kinds, "Policy") {
			t.Errorf("a reader of Module and RoleBinding is offered the kinds %q", kinds)
		}
		var newButtons int
		b.goTo(t, "resources/Module/230102")
		b.run(t, "no new", eval(`document.querySelectorAll("#new-resource").length`, &newButtons))
		if newButtons != 0 {
			t.Errorf("a reader is offered a new Module")
		}
		b.goTo(t, "r/Module/230102/catalog?tab=history")
		var reverts int
		b.run(t, "no revert", eval(`[...document.querySelectorAll("#history button")].filter(b => /回滚/.test(b.textContent)).length`, &reverts))
		if reverts != 0 {
			t.Errorf("a reader is offered %d reverts", reverts)
		}
	})

	step(t, "audit log", func(t *testing.T) {
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
		b.signIn(t, kerneltest.AuditAdmin)
		b.goTo(t, "audit")
		var verify, rows string
		b.run(t, "audit page", text(`#audit-verify`, &verify), text(`#audit`, &rows))
		if !strings.Contains(verify, "哈希链完整") || !strings.Contains(rows, "login") {
			t.Errorf("audit page: verify %q, rows %q", verify, rows)
		}
		b.shot(t, "audit")
		var filtered string
		b.run(t, "filter by actor",
			chromedp.SetValue(chromedp.CSS(`#audit-filter input[name=actor]`), kerneltest.AuditAdmin),
			chromedp.Click(chromedp.CSS(`#audit-filter button[type=submit]`)),
			ready("audit"),
			poll(`location.hash.includes("actor=")`),
			ready("audit"),
			text(`#audit`, &filtered))
		if strings.Contains(filtered, kerneltest.SecurityAdmin) {
			t.Errorf("filtered by actor %s, the log still shows %s", kerneltest.AuditAdmin, kerneltest.SecurityAdmin)
		}
	})
}

// BenchmarkPages measures how long each page takes to be usable: a full load of the
// console at that route (HTML, modules, messages, the user, the page's queries) until
// the page has rendered, in headless Chromium on loopback with the Harbin demo.
//
//	go test ./console/ -run '^$' -bench Pages -benchtime 20x
func BenchmarkPages(b *testing.B) {
	br := newBrowser(b)
	pages := []struct{ user, route string }{
		{kerneltest.SecurityAdmin, "tenants"},
		{kerneltest.SecurityAdmin, "tenants/230102"},
		{kerneltest.SecurityAdmin, "resources"},
		{kerneltest.SecurityAdmin, "resources/Module/230102"},
		{kerneltest.SecurityAdmin, "r/Module/230102/catalog"},
		{kerneltest.SecurityAdmin, "r/Module/230102/catalog?tab=history"},
		{kerneltest.SecurityAdmin, "r/Module/230102/catalog?tab=inheritance"},
		{kerneltest.SecurityAdmin, "standards?tenant=230102"},
		{kerneltest.SecurityAdmin, "calendar/230102/2026"},
		{kerneltest.SecurityAdmin, "plugins"},
		{kerneltest.SecurityAdmin, "plugins/install"},
		{kerneltest.SecurityAdmin, "plugins/credit-check/grants"},
		{kerneltest.SecurityAdmin, "users/230102"},
		{kerneltest.SecurityAdmin, "orgunits/230102"},
		{kerneltest.SecurityAdmin, "roles/230102"},
		{kerneltest.SecurityAdmin, "bindings/230102"},
		{kerneltest.SecurityAdmin, "security"},
		{kerneltest.SecurityAdmin, "dashboard"},
		{kerneltest.SecurityAdmin, "graphiql"},
		{kerneltest.SecurityAdmin, "entities?tenant=230102"},
		{kerneltest.SecurityAdmin, "new-entity/230102"},
		{kerneltest.AuditAdmin, "audit"},
		{kerneltest.AuditAdmin, "auditor"},
	}
	user := ""
	n := 0
	for _, p := range pages {
		if p.user != user {
			if user != "" {
				br.run(b, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
			}
			br.signIn(b, p.user)
			user = p.user
		}
		path := strings.SplitN(p.route, "?", 2)[0]
		wait := ready(path)
		if path == "graphiql" {
			wait = chromedp.Steps(wait, chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)))
		}
		b.Run(strings.NewReplacer("/", "_", "?", "_").Replace(p.route), func(b *testing.B) {
			for b.Loop() {
				n++
				// A new query string makes it a full page load, not a hash change.
				br.run(b, "load "+p.route, chromedp.Navigate(fmt.Sprintf("%s/?load=%d#/%s", br.s.URL, n, p.route)), wait)
			}
		})
	}
}
