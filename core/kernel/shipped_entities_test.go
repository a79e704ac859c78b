package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestStandardEntities: the shipped entity schemas publish on a demo's first start
// and take data elements' rules: a person, an enterprise they represent, a licence.
func TestStandardEntities(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{DemoEntities: true}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Data(t, "230102", admin, `{_entities}`, nil); !strings.Contains(r.Body, `["application","enterprise","licence","person"]`) {
			t.Fatalf("entities: %s", r.Body)
		}
		bad := s.Data(t, "230102", admin, `mutation{createPerson(input:{name:"张三",residentId:"110105194912310021",mobile:"12345"}){id}}`, nil)
		for _, want := range []string{"VALIDATION_FAILED", "/input/residentId", "/input/mobile"} {
			if !strings.Contains(bad.Body, want) {
				t.Errorf("bad person: lacks %s: %s", want, bad.Body)
			}
		}
		person := s.Data(t, "230102", admin, `mutation{createPerson(input:{name:"张三",residentId:"11010519491231002X",mobile:"13812345678",gender:"男"}){id}}`, nil)
		if len(person.Errors) > 0 {
			t.Fatalf("person: %s", person.Body)
		}
		pid := person.Data["createPerson"].(map[string]any)["id"].(string)
		ent := s.Data(t, "230102", admin, `mutation($p:ID){createEnterprise(input:{uscc:"91230102MA1B2C3D46",name:"道里科技有限公司",division:"230102",status:"存续",legalRepresentative:$p}){id}}`, map[string]any{"p": pid})
		if len(ent.Errors) > 0 {
			t.Fatalf("enterprise: %s", ent.Body)
		}
		eid := ent.Data["createEnterprise"].(map[string]any)["id"].(string)
		if r := s.Data(t, "230102", admin, `mutation($e:ID){createLicence(input:{number:"HLJ-2026-0001",kind:"营业执照",issuedOn:"2026-01-05",holder:$e}){id}}`, map[string]any{"e": eid}); len(r.Errors) > 0 {
			t.Fatalf("licence: %s", r.Body)
		}
		r := s.Data(t, "230102", admin, `{persons(first:5){nodes{name representedEnterprises{nodes{name licences{nodes{number}}}}}}}`, nil)
		if !strings.Contains(r.Body, "HLJ-2026-0001") || !strings.Contains(r.Body, "道里科技有限公司") {
			t.Fatalf("nested: %s", r.Body)
		}
	})
}
