package catalog_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/modules/catalog"
)

const devolveQ = `mutation($in:DevolveInput!){devolveItems(input:$in){id status created updated retired codes targets report}}`

func devolveInput(from string, codes []string, targets ...string) map[string]any {
	var ts []any
	for i, t := range targets {
		ts = append(ts, map[string]any{"tenant": t, "bodyName": t + "市场监督管理局", "creditCode": catalog.GovernmentCreditCode(t, 9000+i)})
	}
	cs := make([]any, len(codes))
	for i, c := range codes {
		cs[i] = c
	}
	return map[string]any{"in": map[string]any{"from": from, "codes": cs, "targets": ts}}
}

func TestDevolution(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		codes := []string{"000101001000", "000102002000"}
		run(t, s, admin, []check{
			{name: "targets must lie below the handing tier", query: devolveQ, vars: devolveInput("230100", codes, "230102", "230200"),
				code: "VALIDATION_FAILED", contains: []string{`"path":"/targets/1/tenant"`}},
			{name: "items must be implemented there", query: devolveQ, vars: devolveInput("230100", []string{"000101001000", "000999999000"}, "230102"),
				code: "VALIDATION_FAILED", contains: []string{`"path":"/codes/1"`, "no implementation stored at 230100"}},
			{name: "a refused batch writes nothing", query: `{effectiveImplementations(tenant:"230102"){nodes{tenant}}}`, notContain: []string{`"230102"`}},
		})
		r := s.Do(t, admin, devolveQ, devolveInput("230100", codes, "230102", "230103", "230104"))
		if len(r.Errors) > 0 {
			t.Fatalf("devolve: %s", r.Body)
		}
		d := r.Data["devolveItems"].(map[string]any)
		if d["status"] != "done" || d["created"] != 6.0 || d["retired"] != 2.0 {
			t.Fatalf("report: %v", d)
		}
		id := d["id"].(string)
		run(t, s, admin, []check{
			{name: "a receiving district implements them itself", query: `{effectiveImplementations(tenant:"230103"){totalCount nodes{tenant code implementingBody implementationCode}}}`,
				contains: []string{`"totalCount":3`, `"code":"000101001000","implementationCode":"` + catalog.GovernmentCreditCode("230103", 9001) + `4000101001000","implementingBody":"230103市场监督管理局","tenant":"230103"`}},
			{name: "another district no longer has them", query: `{effectiveImplementations(tenant:"230108"){totalCount nodes{code}}}`,
				contains: []string{`"totalCount":1`, "000201003000"}},
			{name: "the city keeps them, retired", query: `{serviceImplementations(tenant:"230100"){nodes{code status}}}`,
				contains: []string{`{"code":"000101001000","status":"retired"}`, `{"code":"000201003000","status":"active"}`}},
			{name: "the district's guide names its body", query: `{serviceGuide(tenant:"230104",code:"000102002000")}`, contains: []string{"230104市场监督管理局", "道外区"}},
			{name: "listed with its report", query: `{devolutions(tenant:"230100"){id status codes targets}}`,
				contains: []string{`"status":"done"`, `"targets":["230102","230103","230104"]`}},
			{name: "undo", query: `mutation($id:ID!){undoDevolution(id:$id){status restored}}`, vars: map[string]any{"id": id},
				contains: []string{`"status":"undone"`, `"restored":8`}},
			{name: "after undo the city implements them again", query: `{effectiveImplementations(tenant:"230103"){nodes{tenant}}}`,
				contains: []string{`"tenant":"230100"`}, notContain: []string{`"tenant":"230103"`}},
			{name: "and the other district has them back", query: `{effectiveImplementations(tenant:"230108"){totalCount}}`, contains: []string{`"totalCount":3`}},
			{name: "an undone batch cannot be undone twice", query: `mutation($id:ID!){undoDevolution(id:$id){status}}`, vars: map[string]any{"id": id}, code: "CONFLICT"},
		})
		// History is kept: the city's layer has its original, retired and restored versions.
		hist := s.MustDo(t, admin, `{resourceHistory(kind:"ServiceImplementation",tenant:"230100",name:"000101001000"){nodes{version op}}}`, nil)
		if got := fmt.Sprint(hist); !strings.Contains(got, "version:3") {
			t.Fatalf("history: %s", got)
		}
		// A layer changed after the devolution makes the undo refuse, writing nothing.
		r = s.Do(t, admin, devolveQ, devolveInput("230100", codes[:1], "230102"))
		if len(r.Errors) > 0 {
			t.Fatalf("devolve again: %s", r.Body)
		}
		id2 := r.Data["devolveItems"].(map[string]any)["id"].(string)
		mustApply(t, s, admin, impl("230102", "000101001000", `{status: active, implementingBody: {name: 道里区行政审批局, creditCode: "`+catalog.GovernmentCreditCode("230102", 77)+`"}, place: 道里区政务服务中心}`))
		run(t, s, admin, []check{
			{name: "undo after a later change", query: `mutation($id:ID!){undoDevolution(id:$id){status}}`, vars: map[string]any{"id": id2},
				code: "CONFLICT", contains: []string{"230102/000101001000"}},
			{name: "nothing was undone", query: `{serviceImplementations(tenant:"230100"){nodes{code status}}}`, contains: []string{`{"code":"000101001000","status":"retired"}`}},
		})
		// Asynchronously, with progress: the mutation returns at once, devolution(id) follows it.
		in := devolveInput("230100", []string{"000201003000"}, "230108", "230109")
		r = s.Do(t, admin, `mutation($in:DevolveInput!){devolveItems(input:$in,async:true){id status total}}`, in)
		if len(r.Errors) > 0 || r.Data["devolveItems"].(map[string]any)["status"] != "running" {
			t.Fatalf("async devolve: %s", r.Body)
		}
		id3 := r.Data["devolveItems"].(map[string]any)["id"].(string)
		deadline := time.Now().Add(10 * time.Second)
		for {
			d := s.MustDo(t, admin, `query($id:ID!){devolution(id:$id){status processed total created}}`, map[string]any{"id": id3})["devolution"].(map[string]any)
			if d["status"] == "done" {
				if d["processed"] != 3.0 || d["total"] != 3.0 || d["created"] != 2.0 {
					t.Fatalf("async devolution: %v", d)
				}
				break
			}
			if d["status"] != "running" && d["status"] != "pending" || time.Now().After(deadline) {
				t.Fatalf("async devolution: %v", d)
			}
			time.Sleep(10 * time.Millisecond)
		}
		run(t, s, admin, []check{
			{name: "an unknown devolution", query: `{devolution(id:"999"){id}}`, contains: []string{`"devolution":null`}},
		})
	})
}

// TestDevolutionPreviewAndRefusals: a preview (dryRun) reports what a batch would
// do and writes nothing; with skipRefused the items that cannot be devolved are
// left out with the reason and path, the others devolved, and the report keeps them.
func TestDevolutionPreviewAndRefusals(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		// An item only the city may exercise: a district cannot receive it.
		mustApply(t, s, admin, `apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "000103004000"}
spec: {code: "000103004000", name: 城市建筑垃圾处置核准, type: "01", legalBasis: [{law: 城市建筑垃圾管理规定}], tiers: [city]}
locks: [/name, /code, /type, /legalBasis]
---
---
apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "000103005000"}
spec: {code: "000103005000", name: 户外广告设施设置审批, type: "01", legalBasis: [{law: 城市市容和环境卫生管理条例}], tiers: [city]}
locks: [/name, /code, /type, /legalBasis]
---
`+impl("230100", "000103004000", `{implementingBody: {name: 哈尔滨市城市管理局, creditCode: "`+catalog.GovernmentCreditCode("230100", 31)+`"}, statutoryDays: 20, promisedDays: 10, processing: promised, visits: 1}`)+`
---
`+impl("230100", "000103005000", `{implementingBody: {name: 哈尔滨市城市管理局, creditCode: "`+catalog.GovernmentCreditCode("230100", 31)+`"}, statutoryDays: 20, promisedDays: 10, processing: promised, visits: 1}`))
		// Two items a district may not exercise, apart, among five: the halving finds both.
		codes := []string{"000101001000", "000103004000", "000999999000", "000102002000", "000103005000"}
		skip := func(in map[string]any) map[string]any {
			in["in"].(map[string]any)["skipRefused"] = true
			return in
		}
		const q = `mutation($in:DevolveInput!,$dry:Boolean){devolveItems(input:$in,dryRun:$dry){id status created retired items{code name} refused{code name path reason}}}`
		preview := skip(devolveInput("230100", codes, "230102"))
		preview["dry"] = true
		all := devolveInput("230100", codes, "230102")
		all["dry"] = true
		run(t, s, admin, []check{
			{name: "without skipRefused a preview refuses like the batch", query: q, vars: all,
				code: "VALIDATION_FAILED", contains: []string{`"path":"/codes/2"`, "no implementation stored at 230100"}},
			{name: "a preview lists what would move and what is refused, with reasons", query: q, vars: preview,
				contains: []string{`"status":"preview"`, `"id":"0"`, `"created":2`, `"retired":2`,
					`"items":[{"code":"000101001000","name":"企业设立登记"},{"code":"000102002000","name":"建筑工程施工许可证核发"}]`,
					`{"code":"000103004000","name":"城市建筑垃圾处置核准","path":"/codes/1","reason":`, "not exercised at county level",
					`{"code":"000999999000","name":"","path":"/codes/2","reason":"000999999000 has no implementation stored at 230100"}`,
					`{"code":"000103005000","name":"户外广告设施设置审批","path":"/codes/4","reason":`}},
			{name: "a preview writes nothing", query: `{serviceImplementations(tenant:"230102"){totalCount} devolutions(tenant:"230100"){id}}`,
				contains: []string{`"totalCount":0`, `"devolutions":[]`}},
			{name: "nothing left to devolve", query: q, vars: skip(devolveInput("230100", []string{"000103004000"}, "230102")),
				code: "VALIDATION_FAILED", contains: []string{"nothing to devolve", `"path":"/codes/0"`}},
		})
		r := s.Do(t, admin, q, skip(devolveInput("230100", codes, "230102")))
		if len(r.Errors) > 0 {
			t.Fatalf("devolve: %s", r.Body)
		}
		id := r.Data["devolveItems"].(map[string]any)["id"].(string)
		run(t, s, admin, []check{
			{name: "the journal keeps the refusals", query: `query($id:ID!){devolution(id:$id){status codes created refused{code reason}}}`, vars: map[string]any{"id": id},
				contains: []string{`"status":"done"`, `"codes":["000101001000","000102002000"]`, `"created":2`, `"code":"000103004000"`, `"code":"000999999000"`, `"code":"000103005000"`}},
			{name: "the city keeps the refused item active", query: `{serviceImplementation(tenant:"230102",code:"000103004000"){tenant status}}`,
				contains: []string{`"status":"active","tenant":"230100"`}},
			{name: "undo restores only what moved", query: `mutation($id:ID!){undoDevolution(id:$id){status restored}}`, vars: map[string]any{"id": id},
				contains: []string{`"status":"undone"`, `"restored":4`}},
		})
	})
}
