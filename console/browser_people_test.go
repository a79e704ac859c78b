package console_test

import (
	"crypto/sha256"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// The OpenID provider the people walk signs in through: zitadel's OP with its
// example in-memory storage and a login page of its own.
const (
	opClientID  = "gdbos-console"
	opSecret    = "console-test-secret"
	opSecretEnv = "GDBOS_CONSOLE_TEST_OIDC_SECRET"
	opPassword  = "correct horse battery"
)

type opUsers map[string]*storage.User

func (u opUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u opUsers) ExampleClientID() string             { return storage.ServiceUserID }
func (u opUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}

// startOP starts an OpenID provider that knows one person, wangwu, and sends the
// browser back to redirectURL.
func startOP(t *testing.T, redirectURL string) string {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	users := opUsers{"sub-wang": {ID: "sub-wang", Username: "wangwu", Password: opPassword, FirstName: "王五", Email: "wangwu@gov.example", EmailVerified: true}}
	st := storage.NewStorageWithClients(users, map[string]*storage.Client{opClientID: storage.WebClient(opClientID, opSecret, redirectURL)})
	issuer := func(bool) (op.IssuerFromRequest, error) { return func(*http.Request) string { return srv.URL }, nil }
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("console")), CodeMethodS256: true, AuthMethodPost: true}, st, issuer, op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	callback := op.AuthCallbackURL(provider)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /login/username", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>统一身份认证</title><form id="op-login" method="post">
<input type="hidden" name="id" value="%s"><input name="username"><input name="password" type="password"><button type="submit">登录</button></form>`,
			html.EscapeString(r.FormValue("authRequestID")))
	})
	mux.HandleFunc("POST /login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		if err := st.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	return srv.URL
}

// TestBrowserPeople walks the people and security pages: the security
// administrator creates a user at 道里区, renames them, arranges org units, binds
// them a role in the matrix, sees a separation-of-duties refusal in its cell and
// the security view; a person signs in through the province's OIDC provider; the
// audit administrator sees the chain's status and exports the log.
func TestBrowserPeople(t *testing.T) {
	b := newBrowser(t)
	admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
	issuer := startOP(t, b.s.URL+"/auth/oidc/callback")
	t.Setenv(opSecretEnv, opSecret)
	if r := b.s.Apply(t, admin, fmt.Sprintf(`apiVersion: gdbos.io/v1
kind: IdentityProvider
metadata: {tenant: "230000", name: hlj}
spec: {title: 黑龙江省统一身份认证平台, issuer: %[1]q, clientID: %[2]s, clientSecretEnv: %[3]s, redirectURL: %[4]q, provision: true}
---
apiVersion: gdbos.io/v1
kind: IdentityProvider
metadata: {tenant: "230100", name: harbin}
spec: {title: 哈尔滨市政务外网认证, issuer: %[1]q, clientID: %[2]s, clientSecretEnv: %[3]s, redirectURL: %[4]q}
`, issuer, opClientID, opSecretEnv, b.s.URL+"/auth/oidc/callback")); len(r.Errors) > 0 {
		t.Fatalf("identity provider: %s", r.Body)
	}

	step(t, "the sign-in page offers the provider", func(t *testing.T) {
		var buttons, href string
		b.run(t, "sign-in page",
			chromedp.Navigate(b.s.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#oidc-providers a.oidc`)),
			text(`#oidc-providers`, &buttons),
			eval(`document.querySelector("#oidc-providers a.oidc").getAttribute("href")`, &href))
		if !strings.Contains(buttons, "使用 黑龙江省统一身份认证平台 登录") || href != "/auth/oidc/230000/hlj/login?redirect=%2F" {
			t.Errorf("the sign-in page offers %q at %q", buttons, href)
		}
		b.shot(t, "signin-oidc")
	})

	step(t, "org units", func(t *testing.T) {
		b.signIn(t, kerneltest.SecurityAdmin)
		b.goTo(t, "orgunits/230102")
		for _, u := range []struct{ code, name, parent string }{{"office", "办公室", ""}, {"desk", "服务台", "office"}} {
			b.run(t, "create "+u.code,
				chromedp.SetValue(chromedp.CSS(`#unit-create input[name=code]`), u.code),
				chromedp.SetValue(chromedp.CSS(`#unit-create input[name=name]`), u.name),
				js(fmt.Sprintf(`document.querySelector("#unit-create select[name=parent]").value = %q`, u.parent)),
				js(`delete document.getElementById("main").dataset.route`),
				chromedp.Click(chromedp.CSS(`#unit-create button[type=submit]`)),
				ready("orgunits/230102"),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#orgunits li[data-unit=%q]`, u.code))))
		}
		var nested int
		b.run(t, "tree", eval(`document.querySelectorAll('#orgunits li[data-unit="office"] li[data-unit="desk"]').length`, &nested))
		if nested != 1 {
			t.Fatalf("服务台 is not shown under 办公室")
		}
		b.run(t, "move 服务台 to the top",
			js(`document.querySelector('li[data-unit="desk"] > form select[name=parent]').value = ""`),
			js(`delete document.getElementById("main").dataset.route`),
			chromedp.Click(chromedp.CSS(`li[data-unit="desk"] > form button[type=submit]`)),
			ready("orgunits/230102"),
			chromedp.WaitVisible(chromedp.CSS(`#orgunits > li[data-unit="desk"]`)))
		d := b.s.MustDo(t, admin, `{orgUnits(tenant:"230102"){nodes{code parent}}}`, nil)
		if got := fmt.Sprint(d["orgUnits"]); !strings.Contains(got, "map[code:desk parent:<nil>]") {
			t.Errorf("after the move: %s", got)
		}
	})

	step(t, "create and edit a user at 道里区", func(t *testing.T) {
		var nav string
		b.run(t, "menu", text(`#nav`, &nav))
		if !strings.Contains(nav, "人员与权限") || !strings.Contains(nav, "安全管理") || strings.Contains(nav, "审计概览") {
			t.Errorf("the security administrator's menu: %q", nav)
		}
		b.goTo(t, "users/230102")
		var invalid string
		b.run(t, "a bad username is refused at its field",
			chromedp.SendKeys(chromedp.CSS(`#user-create input[name=username]`), "Daoli Clerk"),
			chromedp.SendKeys(chromedp.CSS(`#user-create input[name=password]`), "short"),
			chromedp.Click(chromedp.CSS(`#user-create button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-create [data-path=username].invalid .field-error div`)),
			text(`#user-create`, &invalid))
		if !strings.Contains(invalid, "VALIDATION_FAILED") || !strings.Contains(invalid, "lowercase") {
			t.Errorf("a bad username: %q", invalid)
		}
		b.run(t, "create",
			chromedp.SetValue(chromedp.CSS(`#user-create input[name=username]`), "daoli.clerk"),
			chromedp.SetValue(chromedp.CSS(`#user-create input[name=password]`), "clerk-password-1"),
			chromedp.SendKeys(chromedp.CSS(`#user-create input[name=displayName]`), "道里办事员"),
			js(`delete document.getElementById("main").dataset.route`),
			chromedp.Click(chromedp.CSS(`#user-create button[type=submit]`)),
			ready("users/230102"),
			chromedp.WaitVisible(chromedp.CSS(`#users tr[data-user="daoli.clerk"]`)))
		b.run(t, "rename",
			chromedp.Click(chromedp.CSS(`#users tr[data-user="daoli.clerk"] button.edit`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-name`)),
			chromedp.SetValue(chromedp.CSS(`#user-name input[name=displayName]`), "道里区政务服务办事员"),
			chromedp.Click(chromedp.CSS(`#user-name button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-name .status p.ok`)))
		var row string
		b.run(t, "the row shows the new name", text(`#users tr[data-user="daoli.clerk"]`, &row))
		if !strings.Contains(row, "道里区政务服务办事员") {
			t.Errorf("the row after the rename: %q", row)
		}
		b.run(t, "into 办公室",
			chromedp.SetValue(chromedp.CSS(`#user-unit select[name=unit]`), "office"),
			chromedp.SendKeys(chromedp.CSS(`#user-unit input[name=title]`), "科员"),
			chromedp.Click(chromedp.CSS(`#user-unit button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-unit .status p.ok`)))
		// In the unit list as the page reads it again, and out of it.
		b.goTo(t, "users/230102?q=daoli.clerk")
		b.run(t, "out of 办公室",
			chromedp.Click(chromedp.CSS(`#users tr[data-user="daoli.clerk"] button.edit`)),
			chromedp.Click(chromedp.CSS(`#user-units li[data-unit="office"] button.remove`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#user-units li[data-unit="office"]`)))
		if got := fmt.Sprint(b.s.MustDo(t, admin, `{user(username:"daoli.clerk"){memberships{unit}}}`, nil)["user"]); got != "map[memberships:[]]" {
			t.Errorf("after leaving 办公室: %s", got)
		}
		b.run(t, "into 办公室 again",
			chromedp.SetValue(chromedp.CSS(`#user-unit select[name=unit]`), "office"),
			chromedp.SendKeys(chromedp.CSS(`#user-unit input[name=title]`), "科员"),
			chromedp.Click(chromedp.CSS(`#user-unit button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-unit .status p.ok`)))
		disabled := func() bool {
			return b.s.MustDo(t, admin, `{user(username:"daoli.clerk"){disabled}}`, nil)["user"].(map[string]any)["disabled"].(bool)
		}
		b.run(t, "disable", chromedp.Click(chromedp.CSS(`#user-toggle`)), chromedp.WaitVisible(chromedp.CSS(`#users tr.disabled[data-user="daoli.clerk"]`)))
		if !disabled() {
			t.Errorf("disabled in the page, not in the kernel")
		}
		b.run(t, "enable", chromedp.Click(chromedp.CSS(`#user-toggle`)), chromedp.WaitVisible(chromedp.CSS(`#users tr:not(.disabled)[data-user="daoli.clerk"]`)))
		if disabled() {
			t.Errorf("enabled in the page, not in the kernel")
		}
		d := b.s.MustDo(t, admin, `{user(username:"daoli.clerk"){displayName homeTenant memberships{unit title}}}`, nil)
		if u := fmt.Sprint(d["user"]); u != "map[displayName:道里区政务服务办事员 homeTenant:230102 memberships:[map[title:科员 unit:office]]]" {
			t.Errorf("the user as stored: %v", u)
		}
	})

	step(t, "roles in words", func(t *testing.T) {
		b.goTo(t, "roles/230102")
		var roles string
		b.run(t, "roles", text(`#roles`, &roles))
		for _, want := range []string{"config-admin", "读取、写入：租户、模块", "security-admin", "daoli-admin"} {
			if !strings.Contains(roles, want) {
				t.Errorf("the roles page lacks %q: %q", want, roles)
			}
		}
	})

	cellSel := func(user, role string) string { return fmt.Sprintf(`td[data-user=%q][data-role=%q]`, user, role) }
	step(t, "bind in the matrix, and a refusal in its cell", func(t *testing.T) {
		// A binding a sign-in keeps in step with a provider group is shown, never joined.
		if r := b.s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: oidc-hlj-clerks-tenant-viewer, labels: {gdbos.io/managed-by: oidc, gdbos.io/oidc-provider: hlj, gdbos.io/oidc-provider-tenant: "230000"}}
spec: {role: tenant-viewer, subjects: [{kind: User, name: daoli-admin}, {kind: User, name: daoli.clerk}]}
`); len(r.Errors) > 0 {
			t.Fatalf("a group binding: %s", r.Body)
		}
		b.goTo(t, "bindings/230102")
		var group string
		b.run(t, "the group's grant", text(cellSel("daoli.clerk", "tenant-viewer"), &group))
		if !strings.Contains(group, "经身份提供方用户组授予") {
			t.Errorf("the group's grant shows as %q", group)
		}
		b.run(t, "tick tenant-viewer",
			chromedp.Click(chromedp.CSS(cellSel("daoli-admin", "tenant-viewer")+` input`)),
			chromedp.WaitVisible(chromedp.CSS(cellSel("daoli-admin", "tenant-viewer")+`.bound input:not([disabled])`)))
		d := b.s.MustDo(t, admin, `{a: resource(kind:"RoleBinding", tenant:"230102", name:"oidc-hlj-clerks-tenant-viewer"){version} b: resource(kind:"RoleBinding", tenant:"230102", name:"tenant-viewer"){spec}}`, nil)
		if got := fmt.Sprint(d); got != "map[a:map[version:1] b:map[spec:map[role:tenant-viewer roleTenant:230000 subjects:[map[kind:User name:daoli-admin]]]]]" {
			t.Errorf("a tick beside a group binding: %s", got)
		}
		b.run(t, "bind system-admin",
			chromedp.Click(chromedp.CSS(cellSel("daoli.clerk", "system-admin")+` input`)),
			chromedp.WaitVisible(chromedp.CSS(cellSel("daoli.clerk", "system-admin")+`.bound input:not([disabled])`)))
		d = b.s.MustDo(t, admin, `{roleBindings(tenant:"230102"){nodes{name spec}}}`, nil)
		if got := fmt.Sprint(d["roleBindings"]); !strings.Contains(got, "role:system-admin") || !strings.Contains(got, "name:daoli.clerk") {
			t.Fatalf("after the tick the bindings at 230102 are %s", got)
		}
		var refused string
		var checked bool
		b.run(t, "security-admin as well is refused",
			chromedp.Click(chromedp.CSS(cellSel("daoli.clerk", "security-admin")+` input`)),
			chromedp.WaitVisible(chromedp.CSS(cellSel("daoli.clerk", "security-admin")+`.refused .refusal`)),
			text(cellSel("daoli.clerk", "security-admin"), &refused),
			eval(`document.querySelector('`+cellSel("daoli.clerk", "security-admin")+` input').checked`, &checked))
		if !strings.Contains(refused, "separation of duties") || !strings.Contains(refused, "FORBIDDEN") || !strings.Contains(refused, "system-admin") || checked {
			t.Errorf("the refused cell says %q (checked %v)", refused, checked)
		}
		var explain string
		b.run(t, "explain",
			chromedp.Click(chromedp.CSS(cellSel("daoli.clerk", "config-admin")+` button.explain`)),
			chromedp.WaitVisible(chromedp.CSS(`#explain li`)),
			text(`#explain-panel`, &explain))
		// The clerk holds config-admin's permissions already, through system-admin here.
		if !strings.Contains(explain, "daoli.clerk") || !strings.Contains(explain, "✔ 写入：模块") || !strings.Contains(explain, "binding system-admin at 230102") {
			t.Errorf("explain says %q", explain)
		}
		b.shot(t, "bindings")
		b.run(t, "untick system-admin",
			chromedp.Click(chromedp.CSS(cellSel("daoli.clerk", "system-admin")+` input`)),
			chromedp.WaitVisible(chromedp.CSS(cellSel("daoli.clerk", "system-admin")+`:not(.bound) input:not([disabled])`)))
		d = b.s.MustDo(t, admin, `{roleBindings(tenant:"230102"){nodes{name spec}}}`, nil)
		if got := fmt.Sprint(d["roleBindings"]); strings.Contains(got, "system-admin") || !strings.Contains(got, "oidc-hlj-clerks-tenant-viewer") {
			t.Errorf("after the untick the bindings at 230102 are %s", got)
		}
		// config-admin is bound here already (to daoli-admin): the clerk joins that binding.
		b.run(t, "tick config-admin",
			chromedp.Click(chromedp.CSS(cellSel("daoli.clerk", "config-admin")+` input`)),
			chromedp.WaitVisible(chromedp.CSS(cellSel("daoli.clerk", "config-admin")+`.bound input:not([disabled])`)))
		d = b.s.MustDo(t, admin, `{resource(kind:"RoleBinding", tenant:"230102", name:"daoli-config-admins"){spec}}`, nil)
		if got := fmt.Sprint(d["resource"]); !strings.Contains(got, "name:daoli-admin") || !strings.Contains(got, "name:daoli.clerk") {
			t.Errorf("the clerk did not join daoli-config-admins: %s", got)
		}
		clerk := b.s.Login(t, "daoli.clerk", "clerk-password-1")
		b.s.MustDo(t, clerk, `mutation{createToken(name:"clerk-sync", tenant:"230102", scopes:["Module:read"]){secret}}`, nil)
		b.goTo(t, "users/230102")
		var row string
		b.run(t, "the user's bindings, unit and token", chromedp.Click(chromedp.CSS(`#users tr[data-user="daoli.clerk"] button.edit`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-tokens tr[data-token="clerk-sync"] button.revoke`)), text(`#users tr[data-user="daoli.clerk"]`, &row))
		if !strings.Contains(row, "config-admin") || !strings.Contains(row, "办公室") {
			t.Errorf("the users page shows %q", row)
		}
		b.shot(t, "users")
		b.run(t, "revoke the clerk's token",
			chromedp.Click(chromedp.CSS(`#user-tokens tr[data-token="clerk-sync"] button.revoke`)),
			chromedp.WaitVisible(chromedp.CSS(`#user-tokens tr.disabled[data-token="clerk-sync"]`)))
		d = b.s.MustDo(t, admin, `{user(username:"daoli.clerk"){tokens{name revoked}}}`, nil)
		if got := fmt.Sprint(d["user"]); got != "map[tokens:[map[name:clerk-sync revoked:true]]]" {
			t.Errorf("after the revoke: %s", got)
		}
	})

	step(t, "security view", func(t *testing.T) {
		b.goTo(t, "security")
		var duties, idps string
		var denied int
		b.run(t, "security", text(`#duties`, &duties), text(`#idps`, &idps), eval(`document.querySelectorAll("#denied").length`, &denied))
		if !strings.Contains(duties, "安全管理员") || !strings.Contains(duties, kerneltest.SecurityAdmin) || !strings.Contains(duties, kerneltest.AuditAdmin) {
			t.Errorf("duties: %q", duties)
		}
		if !strings.Contains(idps, "hlj") || !strings.Contains(idps, "黑龙江省统一身份认证平台") || !strings.Contains(idps, issuer) {
			t.Errorf("identity providers: %q", idps)
		}
		if denied != 0 {
			t.Errorf("the audit trail's refusals are offered to the security administrator")
		}
		var secret string
		b.run(t, "create a token",
			chromedp.SendKeys(chromedp.CSS(`#token-create input[name=name]`), "ci"),
			chromedp.SendKeys(chromedp.CSS(`#token-create input[name=scopes]`), "tenants:read"),
			chromedp.Click(chromedp.CSS(`#token-create button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#token-secret`)),
			text(`#token-secret`, &secret))
		if r := b.s.Do(t, secret, `{me{username}}`, nil); !strings.Contains(r.Body, kerneltest.SecurityAdmin) {
			t.Errorf("the token shown does not work: %s", r.Body)
		}
		b.goTo(t, "security")
		b.run(t, "listed", chromedp.WaitVisible(chromedp.CSS(`#tokens`)))
		b.shot(t, "security")
	})

	step(t, "in English", func(t *testing.T) {
		var page string
		b.run(t, "switch",
			switchLanguage("en"),
			poll(`document.documentElement.lang === "en"`))
		b.goTo(t, "bindings/230102")
		b.run(t, "matrix in English", text(`main`, &page))
		if !strings.Contains(page, "Binding matrix") || !strings.Contains(page, "Org units") || strings.Contains(page, "授权矩阵") {
			t.Errorf("the matrix in English: %q", page)
		}
		b.run(t, "back to Chinese",
			switchLanguage("zh-CN"),
			poll(`document.documentElement.lang === "zh-CN"`))
	})

	step(t, "a reader is offered no changes", func(t *testing.T) {
		b.signInAsReader(t, admin, reader{user: "daoli.viewer", home: "230102", role: "people-reader", roleTenant: "230000",
			binding: "daoli-people-readers", bindAt: "230102", reads: []string{"tenants", "users", "orgunits", "Role", "RoleBinding"}})
		var enabled, boxes, forms, edits, refusals int
		var help string
		b.goTo(t, "bindings/230102")
		b.run(t, "matrix read-only",
			// What the reader may not read above 230102 is not asked for, so nothing is refused.
			eval(`document.querySelectorAll("main .error").length`, &refusals),
			eval(`document.querySelectorAll("#matrix input").length`, &boxes),
			eval(`[...document.querySelectorAll("#matrix input")].filter(i => !i.disabled).length`, &enabled),
			text(`main p.muted`, &help))
		if refusals != 0 {
			t.Errorf("the reader's matrix shows %d refusals", refusals)
		}
		if boxes == 0 || enabled != 0 || !strings.Contains(help, "只能查看") {
			t.Errorf("a reader sees %d of %d boxes enabled: %q", enabled, boxes, help)
		}
		b.goTo(t, "users/230102")
		b.run(t, "users read-only", eval(`document.querySelectorAll("#user-create").length`, &forms), eval(`document.querySelectorAll("#users button.edit").length`, &edits))
		if forms != 0 || edits != 0 {
			t.Errorf("a reader is offered %d new-user forms and %d edits", forms, edits)
		}
		b.goTo(t, "orgunits/230102")
		b.run(t, "units read-only", eval(`document.querySelectorAll("#orgunits form, #unit-create").length`, &forms))
		if forms != 0 {
			t.Errorf("a reader is offered %d org unit forms", forms)
		}
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
		b.signIn(t, kerneltest.SecurityAdmin)
	})

	step(t, "sign in through the provider", func(t *testing.T) {
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#oidc-providers a.oidc`)))
		login := func(provider string) chromedp.Action[chromedp.Void] {
			return chromedp.Steps(
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`#oidc-providers a.oidc[data-provider=%q]`, provider))),
				chromedp.WaitVisible(chromedp.CSS(`#op-login input[name=username]`)),
				chromedp.SendKeys(chromedp.CSS(`#op-login input[name=username]`), "wangwu"),
				chromedp.SendKeys(chromedp.CSS(`#op-login input[name=password]`), opPassword),
				chromedp.Click(chromedp.CSS(`#op-login button`)))
		}
		// A link carrying a session this tab did not ask for signs no one in.
		var unasked string
		var signedIn int
		b.run(t, "a session nobody asked for",
			chromedp.Navigate(b.s.URL+"/?from=mail#expiresAt=2030-01-01T00%3A00%3A00Z&token="+admin),
			chromedp.WaitVisible(chromedp.CSS(`#login .login-error .error`)),
			text(`#login .login-error`, &unasked), eval(`document.querySelectorAll("#logout").length`, &signedIn))
		if signedIn != 0 || !strings.Contains(unasked, "不是从本页发起") {
			t.Errorf("a session in a link: signed in %d, says %q", signedIn, unasked)
		}
		// Harbin's provider creates no users, and links none to wangwu: the refusal
		// comes back to the sign-in page.
		var refused, hash string
		b.run(t, "refused by GDBOS",
			login("230100/harbin"),
			chromedp.WaitVisible(chromedp.CSS(`#login .login-error .error`)),
			text(`#login .login-error`, &refused), eval(`location.hash`, &hash))
		if !strings.Contains(refused, "not linked to a GDBOS user") || !strings.Contains(refused, "FORBIDDEN") || hash != "" {
			t.Errorf("the refused sign-in shows %q (hash %q)", refused, hash)
		}
		var who string
		b.run(t, "OIDC flow",
			login("230000/hlj"),
			chromedp.WaitVisible(chromedp.CSS(`#logout`)),
			text(`#who`, &who), eval(`location.hash`, &hash))
		if who != "王五" && who != "wangwu" || strings.Contains(hash, "token") {
			t.Errorf("after the provider's sign-in: who %q, hash %q", who, hash)
		}
		d := b.s.MustDo(t, admin, `{user(username:"wangwu"){homeTenant}}`, nil)
		if d["user"].(map[string]any)["homeTenant"] != "230000" {
			t.Errorf("the provisioned user: %v", d)
		}
	})

	step(t, "the audit administrator's view", func(t *testing.T) {
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
		b.signIn(t, kerneltest.AuditAdmin)
		var nav string
		b.run(t, "menu", text(`#nav`, &nav))
		if !strings.Contains(nav, "审计概览") || strings.Contains(nav, "安全管理") || strings.Contains(nav, "人员与权限") {
			t.Errorf("the audit administrator's menu: %q", nav)
		}
		b.goTo(t, "auditor")
		var chain, outcomes, denied string
		b.run(t, "overview", text(`#chain-status`, &chain), text(`#outcomes`, &outcomes), text(`.auditor .grid`, &denied))
		if !strings.Contains(chain, "哈希链完整") || !strings.Contains(denied, "authz.denied") && !strings.Contains(denied, "login") {
			t.Errorf("chain %q, outcomes %q, refusals %q", chain, outcomes, denied)
		}
		var exported, body string
		b.run(t, "export",
			// The page offers the file as a blob: URL, which the console's CSP keeps fetch from reading back.
			js(`window.exported = []; const make = URL.createObjectURL; URL.createObjectURL = blob => { window.exported.push(blob); return make(blob); }`),
			chromedp.SetValue(chromedp.CSS(`#audit-export select[name=format]`), "json"),
			chromedp.SetValue(chromedp.CSS(`#audit-export input[name=action]`), "user.update"),
			chromedp.Click(chromedp.CSS(`#audit-export button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#audit-download`)),
			text(`#audit-export + .status`, &exported),
			store(chromedp.Evaluate[string](`window.exported[0].text()`, chromedp.EvalAwaitPromise), &body))
		if !strings.Contains(exported, "已导出 1 条") || !strings.Contains(body, "道里区政务服务办事员") || !strings.Contains(body, `"actor": "`+kerneltest.SecurityAdmin) {
			t.Errorf("export: %q, file %s", exported, body)
		}
		b.shot(t, "auditor")
	})
}
