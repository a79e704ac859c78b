package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestEntityLocalLayerLater adds a county's layer to an entity the province
// published earlier, in a later apply (as the console's designer does), changes it
// and deletes it: each step is a change of the table as it stood, never taken for a
// first publish whose inherited columns would clash.
func TestEntityLocalLayerLater(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Apply(t, admin, enterpriseSchema); len(r.Errors) > 0 {
			t.Fatalf("publish: %s", r.Body)
		}
		fields := `{__type(name:"Enterprise"){fields{name}}}`
		for _, c := range []struct {
			name, yaml   string
			del          bool
			county, city []string // fields the county's and the city's APIs have / must not have ("-name")
		}{
			{name: "a county adds a layer", yaml: daoliLayer, county: []string{"uscc", "street"}, city: []string{"uscc", "-street"}},
			{name: "the county adds a field to its layer", yaml: daoliLayer + "    - {name: stalls, type: integer}\n", county: []string{"street", "stalls"}, city: []string{"-stalls"}},
			{name: "the county deletes its layer", del: true, county: []string{"uscc", "-street", "-stalls"}, city: []string{"uscc"}},
			{name: "and adds it again", yaml: daoliLayer, county: []string{"street"}, city: []string{"-street"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.del {
					s.MustDo(t, admin, `mutation{deleteResource(kind:"EntitySchema", tenant:"230102", name:"enterprise")}`, nil)
				} else if r := s.Apply(t, admin, c.yaml); len(r.Errors) > 0 {
					t.Fatalf("apply: %s", r.Body)
				}
				for tenant, want := range map[string][]string{"230102": c.county, "230100": c.city} {
					body := s.Data(t, tenant, admin, fields, nil).Body
					for _, w := range want {
						if has := strings.Contains(body, `"name":"`+strings.TrimPrefix(w, "-")+`"`); has == strings.HasPrefix(w, "-") {
							t.Errorf("%s's API, want %s: %s", tenant, w, body)
						}
					}
				}
			})
		}
		// Records keep the county's column through the delete and the new layer.
		create := `mutation($i:EnterpriseInput!){createEnterprise(input:$i){street}}`
		if d := s.Data(t, "230102", admin, create, map[string]any{"i": map[string]any{"uscc": "91230102MA1B2C3D46", "name": "道里科技有限公司", "street": "中央大街"}}); !strings.Contains(d.Body, `"street":"中央大街"`) {
			t.Errorf("a record with the local field: %s", d.Body)
		}
	})
}
