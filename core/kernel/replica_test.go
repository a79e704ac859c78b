package kernel_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestReplicasSeeChangesWithinASecond runs two kernels on one PostgreSQL database
// with NATS JetStream between them: a change made through one is in force on the
// other within a second, including one the other had cached.
func TestReplicasSeeChangesWithinASecond(t *testing.T) {
	a, r, adminA, adminB := kerneltest.Replicas(t, kerneltest.Options{})

	apply := func(enabled string) {
		y := "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230100\", name: catalog}\nspec: {enabled: " + enabled + "}\n"
		if res := a.Apply(t, adminA, y); len(res.Errors) > 0 {
			t.Fatalf("apply on replica A: %s", res.Body)
		}
	}
	effectiveOnB := func() string {
		res := r.Do(t, adminB, `{effectiveResource(kind:"Module",tenant:"230102",name:"catalog"){spec}}`, nil)
		return res.Body
	}
	waitFor := func(want string) time.Duration {
		start := time.Now()
		for time.Since(start) < time.Second {
			if strings.Contains(effectiveOnB(), want) {
				return time.Since(start)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("replica B did not see %s within 1s: %s", want, effectiveOnB())
		return 0
	}
	apply("true")
	waitFor(`"enabled":true`) // B now has it cached
	apply("false")
	took := waitFor(`"enabled":false`)
	t.Logf("replica B saw the change after %v", took)

	// A role binding made on A authorizes on B within the second too.
	admin := adminA
	a.MustDo(t, admin, `mutation{createUser(input:{username:"rep",password:"password-123",homeTenant:"230102"}){id}}`, nil)
	repB := r.Login(t, "rep", "password-123")
	if res := r.Do(t, repB, `{tenant(code:"230102"){name}}`, nil); res.Code() != "FORBIDDEN" {
		t.Fatalf("before the binding: %s", res.Body)
	}
	if res := a.Apply(t, admin, rbacFixture+"---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230102\", name: rep}\nspec: {role: tenant-viewer, subjects: [{kind: User, name: rep}]}\n"); len(res.Errors) > 0 {
		t.Fatalf("binding: %s", res.Body)
	}
	start := time.Now()
	for {
		if res := r.Do(t, repB, `{tenant(code:"230102"){name}}`, nil); res.Code() == "" {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatal("the binding made on A did not authorize on B within 1s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExportApplyRoundTrip exports a subtree, applies it to a fresh kernel and
// exports again: the two exports are identical.
func TestExportApplyRoundTrip(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		admin := tokens["admin"]
		extra := "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230100\", name: catalog, labels: {tier: city}}\nspec: {enabled: true, settings: {guide: city, limits: [1, 2.5, \"三\"]}}\nlocks: [/enabled]\n" +
			"---\napiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: true, settings: {guide: 道里}}\n"
		if r := s.Apply(t, admin, extra); len(r.Errors) > 0 {
			t.Fatalf("apply: %s", r.Body)
		}
		export := func(srv *kerneltest.Server, tok string) string {
			return srv.MustDo(t, tok, `{exportResources(tenant:"230000",subtree:true)}`, nil)["exportResources"].(string)
		}
		first := export(s, admin)
		if !strings.Contains(first, "道里") || !strings.Contains(first, "kind: RoleBinding") {
			t.Fatalf("export lacks resources:\n%s", first)
		}
		fresh := kerneltest.Start(t, kerneltest.Options{})
		freshAdmin := fresh.Admin(t)
		if r := fresh.Apply(t, freshAdmin, first); len(r.Errors) > 0 {
			t.Fatalf("re-import: %s", r.Body)
		}
		if second := export(fresh, freshAdmin); second != first {
			t.Fatalf("round trip differs:\n--- first\n%s\n--- second\n%s", first, second)
		}
		if r := fresh.Apply(t, freshAdmin, first); strings.Contains(r.Body, `"created"`) || strings.Contains(r.Body, `"updated"`) {
			t.Fatalf("applying the same export twice must change nothing: %s", r.Body)
		}
	})
}
