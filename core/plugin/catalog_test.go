package plugin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

// pluginUsers creates daoli at 230102 and nangang at 230103, each holding
// plugins:read at their tenant, and returns their tokens.
func pluginUsers(t *testing.T, s *kerneltest.Server, admin string) (daoli, nangang string) {
	t.Helper()
	for _, u := range []struct{ name, home string }{{"daoli", "230102"}, {"nangang", "230103"}} {
		s.MustDo(t, admin, `mutation($u:String!,$h:String!){createUser(input:{username:$u,password:"password-123",homeTenant:$h}){id}}`,
			map[string]any{"u": u.name, "h": u.home})
	}
	yaml := `
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230100", name: plugin-user}
spec:
  permissions: [{resources: [plugins], actions: [read]}]
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: daoli-plugins}
spec: {role: plugin-user, subjects: [{kind: User, name: daoli}]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230103", name: nangang-plugins}
spec: {role: plugin-user, subjects: [{kind: User, name: nangang}]}
`
	if r := s.Apply(t, admin, yaml); len(r.Errors) > 0 {
		t.Fatalf("users: %s", r.Body)
	}
	return s.Login(t, "daoli", "password-123"), s.Login(t, "nangang", "password-123")
}

func TestGrantDecidesWhereTheFieldExists(t *testing.T) {
	kerneltest.DialectOptions(t, func(t *testing.T, opts kerneltest.Options) {
		s, admin := faultyKernelOn(t, opts)
		grantDecides(t, s, admin)
	})
}

func grantDecides(t *testing.T, s *kerneltest.Server, admin string) {
	daoli, nangang := pluginUsers(t, s, admin)
	r := s.Data(t, "230102", daoli, `{faulty{ok}}`, nil)
	if len(r.Errors) > 0 || !strings.HasPrefix(r.Data["faulty"].(map[string]any)["ok"].(string), "ok 230102 daoli") {
		t.Fatalf("230102: %s", r.Body)
	}
	r = s.Data(t, "230103", nangang, `{faulty{ok}}`, nil)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, `Cannot query field "faulty"`) {
		t.Fatalf("230103 sees the field of a plugin it did not grant: %s", r.Body)
	}
	// A user of 230103 asking 230102's API is refused by RBAC, not by the plugin.
	if r := s.Data(t, "230102", nangang, `{faulty{ok}}`, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("nangang at 230102: %s", r.Body)
	}
	// The grant is inherited: granting at 230100 gives 230103 the field too, and a
	// child can withdraw it.
	plugintest.Grant(t, s, admin, "230100", "faulty", "[graphql]", "")
	if r := s.Data(t, "230103", nangang, `{faulty{ok}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("230103 after a grant at 230100: %s", r.Body)
	}
	plugintest.Grant(t, s, admin, "230103", "faulty", "[]", "")
	if r := s.Data(t, "230103", nangang, `{faulty{ok}}`, nil); len(r.Errors) == 0 {
		t.Fatalf("230103 still sees the field after withdrawing it: %s", r.Body)
	}
	// Removing the plugin removes the field everywhere.
	s.MustDo(t, admin, `mutation{removePlugin(id:"faulty")}`, nil)
	if r := s.Data(t, "230102", daoli, `{faulty{ok}}`, nil); len(r.Errors) == 0 {
		t.Fatalf("the field outlived the plugin: %s", r.Body)
	}
	if d := s.MustDo(t, admin, `{plugins{id}}`, nil); len(d["plugins"].([]any)) != 0 {
		t.Fatalf("catalog after remove: %v", d)
	}
}

func TestChecksumMismatchIsRefused(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	wrong := strings.Repeat("ab", 32)
	r := s.Do(t, admin, `mutation($b:String!,$s:String!){installPlugin(binary:$b, sha256:$s){id}}`, map[string]any{"b": faulty.Path, "s": wrong})
	if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "checksum differs") || !strings.Contains(r.Errors[0].Message, faulty.SHA256) {
		t.Fatalf("install with a wrong checksum: %s", r.Body)
	}
	yaml := "apiVersion: gdbos.io/v1\nkind: Plugin\nmetadata: {tenant: \"230000\", name: faulty}\nspec: {version: 1.0.0, binary: " + faulty.Path + ", sha256: " + wrong + "}\n"
	r = s.Apply(t, admin, yaml)
	if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/spec/sha256") || !strings.Contains(r.Body, "checksum differs") {
		t.Fatalf("apply with a wrong checksum: %s", r.Body)
	}
}

func TestCatalogMustMatchTheBinary(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	yaml := "apiVersion: gdbos.io/v1\nkind: Plugin\nmetadata: {tenant: \"230100\", name: faulty}\nspec: {version: 2.0.0, binary: " + faulty.Path + ", sha256: " + faulty.SHA256 + ", capabilities: [actions]}\n"
	r := s.Apply(t, admin, yaml)
	if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/metadata/tenant") {
		t.Fatalf("a plugin below the root: %s", r.Body)
	}
	r = s.Apply(t, admin, strings.Replace(yaml, "230100", "230000", 1))
	for _, want := range []string{"/spec/version", "/spec/capabilities", `the binary declares [\"graphql\",\"events\",\"qualityRules\",\"dataSources\"]`} {
		if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, want) {
			t.Fatalf("a spec that differs from the binary: want %s in %s", want, r.Body)
		}
	}
}

func TestGrantGivesOnlyWhatThePluginAsks(t *testing.T) {
	s, admin := faultyKernel(t)
	yaml := `
apiVersion: gdbos.io/v1
kind: PluginGrant
metadata: {tenant: "230102", name: faulty}
spec:
  capabilities: [graphql, actions]
  permissions: [{on: Enterprise, actions: [read, delete]}]
`
	r := s.Apply(t, admin, yaml)
	for _, want := range []string{"/spec/capabilities/1", "does not offer actions (it offers graphql, events, qualityRules, dataSources)", "/spec/permissions/0/actions/1", "does not ask for Enterprise:delete"} {
		if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, want) {
			t.Fatalf("want %s in %s", want, r.Body)
		}
	}
	r = s.Apply(t, admin, strings.Replace(yaml, "name: faulty", "name: nothing", 1))
	if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "no plugin nothing is installed") {
		t.Fatalf("grant of a missing plugin: %s", r.Body)
	}
}

func TestCallBackRunsAsTheGrant(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{DemoEntities: true})
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, "")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[graphql]", "[{on: Enterprise, actions: [read, write]}]")
	plugintest.Grant(t, s, admin, "230103", "faulty", "[graphql]", "[{on: Enterprise, actions: [read]}]")
	r := s.Data(t, "230102", admin, `{faulty{tenants}}`, nil)
	if r.Code() != "VALIDATION_FAILED" {
		t.Fatalf("a call back within the grant may write (and is refused its bad input): %s", r.Body)
	}
	r = s.Data(t, "230103", admin, `{faulty{tenants}}`, nil)
	if r.Code() != "FORBIDDEN" || !strings.Contains(r.Body, "plugin:faulty may not write Enterprise at tenant 230103") {
		t.Fatalf("a call back beyond the grant: %s", r.Body)
	}
}

func TestCrashedPluginIsBackWithinASecondRepeatedly(t *testing.T) {
	s, admin := faultyKernel(t)
	okWithin(t, s, admin, 5*time.Second)
	for i := 0; i < 3; i++ {
		if r := s.Data(t, "230102", admin, `{faulty{exit}}`, nil); r.Code() != "PLUGIN_UNAVAILABLE" {
			t.Fatalf("exit %d: %s", i, r.Body)
		}
		okWithin(t, s, admin, time.Second)
	}
}

func TestUpgrade(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	r := s.Do(t, admin, `mutation($b:String!,$s:String!){upgradePlugin(binary:$b, sha256:$s){id}}`, map[string]any{"b": faulty.Path, "s": faulty.SHA256})
	if r.Code() != "NOT_FOUND" || !strings.Contains(r.Body, "install it first") {
		t.Fatalf("upgrading what is not installed: %s", r.Body)
	}
	plugintest.Install(t, s, admin, faulty, "")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[graphql]", "")
	before := pid(okWithin(t, s, admin, 5*time.Second))
	// A new catalog entry (here: a new timeout) replaces the running process.
	s.MustDo(t, admin, `mutation($b:String!,$s:String!){upgradePlugin(binary:$b, sha256:$s, timeoutMs: 1500){id}}`, map[string]any{"b": faulty.Path, "s": faulty.SHA256})
	if after := pid(okWithin(t, s, admin, 5*time.Second)); after == before {
		t.Fatalf("pid %s still serves after the upgrade", after)
	}
}
