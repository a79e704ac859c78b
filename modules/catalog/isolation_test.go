package catalog_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/tenant"
	"github.com/gdbos/gdbos/modules/catalog"
)

// TestIsolationProperty binds random readers at random tenants, stores
// implementations at random districts, then asks the module's reads as those readers
// and checks every answer against an oracle: a read at a tenant outside the
// reader's subtrees is refused with nothing returned; a list of stored
// implementations or a search returns only rows inside the asked tenant's subtree;
// an effective list only rows of the asked tenant's lineage. Reproduce a failure
// with GDBOS_PROPERTY_SEED=<the logged seed>.
func TestIsolationProperty(t *testing.T) {
	pseed := uint64(time.Now().UnixNano())
	if v := os.Getenv("GDBOS_PROPERTY_SEED"); v != "" {
		pseed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (set GDBOS_PROPERTY_SEED to reproduce)", pseed)
	cases := 400
	if testing.Short() {
		cases = 100
	}
	rng := rand.New(rand.NewPCG(pseed, pseed^0x5bd1e995))
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		ts := s.K.Tenants()
		var codes, districts []string
		for _, tn := range ts.List(tenant.ListOptions{}) {
			codes = append(codes, tn.Code)
			if tn.Parent == "230100" {
				districts = append(districts, tn.Code)
			}
		}
		items := []string{"000101001000", "000102002000", "000201003000"}
		yaml := ""
		for i, d := range districts {
			if rng.IntN(2) == 0 {
				continue
			}
			yaml += "---\n" + impl(d, items[rng.IntN(len(items))], fmt.Sprintf(`{place: 第%d政务服务中心, implementingBody: {name: 区级实施机关, creditCode: %q}}`, i, catalog.GovernmentCreditCode(d, i)))
		}
		if yaml != "" {
			mustApply(t, s, admin, yaml)
		}
		mustApply(t, s, admin, "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: catalog-reader}\nspec: {permissions: [{resources: [ServiceImplementation], actions: [read]}]}\n")
		type reader struct {
			token string
			at    []string
		}
		var readers []reader
		for i := range 4 {
			name := fmt.Sprintf("reader%d", i)
			s.MustDo(t, admin, `mutation($u:String!){createUser(input:{username:$u,password:"password-123",homeTenant:"230000"}){id}}`, map[string]any{"u": name})
			var at []string
			var docs string
			for j := range 1 + rng.IntN(2) {
				tc := codes[rng.IntN(len(codes))]
				at = append(at, tc)
				docs += fmt.Sprintf("---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: %q, name: %s-%d}\nspec: {role: catalog-reader, roleTenant: \"230000\", subjects: [{kind: User, name: %s}]}\n", tc, name, j, name)
			}
			mustApply(t, s, admin, docs)
			readers = append(readers, reader{token: s.Login(t, name, "password-123"), at: at})
		}
		for i := range cases {
			rd := readers[rng.IntN(len(readers))]
			asked := codes[rng.IntN(len(codes))]
			may := slices.ContainsFunc(rd.at, func(b string) bool { return ts.IsWithin(asked, b) })
			var q, field string
			lineageOnly := false
			single := false
			switch rng.IntN(5) {
			case 4:
				q, field, lineageOnly, single = `{x:serviceImplementation(tenant:"`+asked+`",code:"`+items[rng.IntN(len(items))]+`"){tenant}}`, "x", true, true
			case 0:
				q, field = `{x:serviceImplementations(tenant:"`+asked+`",subtree:true,first:500){nodes{tenant}}}`, "x"
			case 1:
				q, field = `{x:serviceImplementations(tenant:"`+asked+`",first:500){nodes{tenant}}}`, "x"
			case 2:
				q, field = `{x:searchImplementations(tenant:"`+asked+`",query:"登记",first:500){nodes{tenant}}}`, "x"
			default:
				q, field, lineageOnly = `{x:effectiveImplementations(tenant:"`+asked+`",first:500){nodes{tenant}}}`, "x", true
			}
			r := s.Do(t, rd.token, q, nil)
			if !may {
				if r.Code() != "FORBIDDEN" || r.Data[field] != nil {
					t.Fatalf("seed %d case %d: reader at %v read %s: %s", pseed, i, rd.at, asked, r.Body)
				}
				continue
			}
			if r.Code() != "" {
				t.Fatalf("seed %d case %d: reader at %v refused at %s: %s", pseed, i, rd.at, asked, r.Body)
			}
			lineage, _ := ts.LineageCodes(asked)
			var nodes []any
			switch {
			case single && r.Data[field] != nil:
				nodes = []any{r.Data[field]}
			case !single:
				nodes = r.Data[field].(map[string]any)["nodes"].([]any)
			}
			for _, n := range nodes {
				got := n.(map[string]any)["tenant"].(string)
				ok := ts.IsWithin(got, asked)
				if lineageOnly {
					ok = slices.Contains(lineage, got)
				}
				if !ok {
					t.Fatalf("seed %d case %d: %s at %s returned a row of %s", pseed, i, q, asked, got)
				}
			}
		}
	})
}
