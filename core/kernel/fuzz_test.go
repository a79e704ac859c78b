package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// FuzzRBACResources applies arbitrary Role, RoleBinding and Policy specs through the
// API as a security officer bound at a county: nothing panics, no answer is an
// internal error, and the officer never grants themselves a permission they lacked
// (checked by explainAccess after each apply).
func FuzzRBACResources(f *testing.F) {
	for _, seed := range []struct {
		kind   int
		tenant string
		spec   string
	}{
		{0, "230102", "{permissions: [{resources: [tenants], actions: [read]}]}"},
		{0, "230102", "{permissions: [{resources: [\"*\"], actions: [\"*\"]}]}"},
		{1, "230102", "{role: tenant-viewer, subjects: [{kind: User, name: sec}]}"},
		{1, "230000", "{role: module-admin, subjects: [{kind: User, name: sec}]}"},
		{2, "230102", "{purpose: rows, target: User, module: \"package p\\nallow if input.row.disabled\"}"},
		{2, "230100", "{purpose: guard, target: \"*\", module: \"package g\\ndeny contains \\\"x\\\" if true\"}"},
		{1, "230102", "{role: [1], subjects: 5}"},
	} {
		f.Add(seed.kind, seed.tenant, seed.spec)
	}
	s := kerneltest.Start(f, kerneltest.Options{})
	tokens := fixture(f, s)
	kinds := []string{"Role", "RoleBinding", "Policy"}
	f.Fuzz(func(t *testing.T, kind int, tenant, spec string) {
		if kind < 0 {
			kind = -kind
		}
		doc := "apiVersion: gdbos.io/v1\nkind: " + kinds[kind%len(kinds)] + "\nmetadata: {tenant: \"" + strings.ReplaceAll(tenant, "\"", "") + "\", name: fuzzed}\nspec: " + spec + "\n"
		if r := s.Apply(t, tokens["sec"], doc); r.Code() == "INTERNAL" || r.Status >= 500 {
			t.Fatalf("applying %q: %s", doc, r.Body)
		}
		r := s.Do(t, tokens["admin"], `{explainAccess(user:"sec",action:"write",kind:"Module",tenant:"230102"){allowed}}`, nil)
		if strings.Contains(r.Body, `"allowed":true`) {
			t.Fatalf("the officer escalated to Module:write after %q: %s", doc, r.Body)
		}
	})
}
