package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/modules/catalog"
)

func TestListsAndOnlineRate(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		list := "apiVersion: gdbos.io/v1\nkind: ServiceList\nmetadata: {tenant: \"230100\", name: bqr-1}\nspec: {title: 办事不求人第一批, batch: 1, publishedAt: \"2020-03-01\", items: [\"000101001000\", \"000201003000\"]}\n"
		applyQ := `mutation($y:String!){applyResources(yaml:$y){op}}`
		run(t, s, admin, []check{
			{name: "a list names items of the catalog", query: applyQ, vars: map[string]any{"y": strings.Replace(list, `"000201003000"`, `"000999999000"`, 1)},
				code: "VALIDATION_FAILED", contains: []string{`"path":"/spec/items/1"`}},
			{name: "the list is applied", query: applyQ, vars: map[string]any{"y": list}, contains: []string{`"op":"created"`}},
			{name: "seen from a district", query: `{serviceLists(tenant:"230102"){title batch size entries{code tenant} missing}}`,
				contains: []string{`"title":"办事不求人第一批"`, `"size":2`, `{"code":"000101001000","tenant":"230100"}`, `"missing":[]`}},
			{name: "bad months", query: `{onlineRate(tenant:"230100",from:"2020-13"){cases}}`, code: "VALIDATION_FAILED"},
		})
		// A district's own implementation is the one in force there, in list order.
		mustApply(t, s, admin, impl("230102", "000201003000", `{implementingBody: {name: 道里区人力资源和社会保障局, creditCode: "`+catalog.GovernmentCreditCode("230102", 5)+`"}}`))
		run(t, s, admin, []check{
			{name: "the deepest tier's implementation", query: `{serviceLists(tenant:"230102"){entries{code tenant} missing}}`,
				contains: []string{`"entries":[{"code":"000101001000","tenant":"230100"},{"code":"000201003000","tenant":"230102"}]`}},
		})
		// The approval module's events, emitted as it would: 3 online and 1 at the window
		// at the city in March, 1 online at 道里区 in April; one redelivered.
		body := catalog.GovernmentCreditCode("230100", 1)
		num := func(code string, day, seq int) string {
			return fmt.Sprintf("%s3%s202003%02d%04d", body, code, day, seq)
		}
		events := []struct {
			tenant string
			ev     catalog.CaseSubmitted
		}{
			{"230100", catalog.CaseSubmitted{CaseNumber: num("000101001000", 2, 1), Code: "000101001000", Department: "230100-scjg", Channel: "online", SubmittedAt: time.Date(2020, 3, 2, 9, 0, 0, 0, time.UTC)}},
			{"230100", catalog.CaseSubmitted{CaseNumber: num("000101001000", 2, 2), Code: "000101001000", Department: "230100-scjg", Channel: "mobile", SubmittedAt: time.Date(2020, 3, 2, 10, 0, 0, 0, time.UTC)}},
			{"230100", catalog.CaseSubmitted{CaseNumber: num("000102002000", 3, 1), Code: "000102002000", Department: "230100-zjj", Channel: "window", SubmittedAt: time.Date(2020, 3, 3, 9, 0, 0, 0, time.UTC)}},
			{"230100", catalog.CaseSubmitted{CaseNumber: num("000102002000", 4, 1), Code: "000102002000", Department: "230100-zjj", Channel: "online", SubmittedAt: time.Date(2020, 3, 4, 9, 0, 0, 0, time.UTC)}},
			{"230102", catalog.CaseSubmitted{CaseNumber: num("000201003000", 5, 1), Code: "000201003000", Department: "230102-rsj", Channel: "online", SubmittedAt: time.Date(2020, 4, 5, 9, 0, 0, 0, time.UTC)}},
			{"230102", catalog.CaseSubmitted{CaseNumber: num("000201003000", 5, 1), Code: "000201003000", Department: "230102-rsj", Channel: "online", SubmittedAt: time.Date(2020, 4, 5, 9, 0, 0, 0, time.UTC)}},
		}
		ctx := context.Background()
		err := s.K.Store().Tx(ctx, func(tx *ent.Tx) error {
			for _, e := range events {
				if err := s.K.Events().Emit(ctx, tx, catalog.TopicCaseSubmitted, e.tenant, e.ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.K.Events().Kick()
		want := `{"cases":5,"online":4,"rate":0.8}`
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := s.Do(t, admin, `{onlineRate(tenant:"230100"){cases online rate}}`, nil)
			if strings.Contains(r.Body, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("online rate never reached %s: %s", want, r.Body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		run(t, s, admin, []check{
			{name: "per tenant and month", query: `{onlineRate(tenant:"230100",by:["tenant","month"]){tenant month cases rate}}`,
				contains: []string{`{"cases":4,"month":"2020-03","rate":0.75,"tenant":"230100"}`, `{"cases":1,"month":"2020-04","rate":1,"tenant":"230102"}`}},
			{name: "per department", query: `{onlineRate(tenant:"230100",by:["department"]){department rate}}`, contains: []string{`{"department":"230100-zjj","rate":0.5}`}},
			{name: "a district sees its own", query: `{onlineRate(tenant:"230102"){cases}}`, contains: []string{`"cases":1`}},
			{name: "a month range", query: `{onlineRate(tenant:"230100",from:"2020-04",to:"2020-04"){cases}}`, contains: []string{`"cases":1`}},
		})
	})
}

// TestItemSearchAndCounts: the basic catalog narrowed by a text in names or codes,
// with LIKE's wildcards taken literally, alone or with the other filters; and
// counted by type or category.
func TestItemSearchAndCounts(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		mustApply(t, s, admin, `apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "00010300A000"}
spec: {code: "00010300A000", name: ICP备案核验, type: "01", legalBasis: [{law: 互联网信息服务管理办法}], tiers: [city]}
locks: [/name, /code, /type, /legalBasis]
`)
		const q = `query($s:String,$ty:String){serviceItems(tenant:"230102",search:$s,type:$ty){totalCount nodes{code}}}`
		run(t, s, admin, []check{
			{name: "a Chinese word", query: q, vars: map[string]any{"s": "施工许可"}, contains: []string{`"totalCount":1`, "000102002000"}},
			{name: "a word in two names", query: q, vars: map[string]any{"s": "登记"}, contains: []string{`"totalCount":2`, "000101001000", "000201003000"}},
			{name: "part of a code", query: q, vars: map[string]any{"s": "0201"}, contains: []string{`"totalCount":1`, "000201003000"}},
			{name: "with a type", query: q, vars: map[string]any{"s": "登记", "ty": "20"}, contains: []string{`"totalCount":1`, "000201003000"}},
			{name: "Latin letters in any case", query: q, vars: map[string]any{"s": "icp"}, contains: []string{`"totalCount":1`, "00010300A000"}},
			{name: "a code in any case", query: q, vars: map[string]any{"s": "0300a"}, contains: []string{`"totalCount":1`, "00010300A000"}},
			{name: "wildcards are literal", query: q, vars: map[string]any{"s": "%"}, contains: []string{`"totalCount":0`}},
			{name: "underscore is literal", query: q, vars: map[string]any{"s": "_"}, contains: []string{`"totalCount":0`}},
			{name: "nothing matches", query: q, vars: map[string]any{"s": "不存在的事项"}, contains: []string{`"totalCount":0`, `"nodes":[]`}},
			{name: "too long", query: q, vars: map[string]any{"s": strings.Repeat("长", 101)}, code: "VALIDATION_FAILED", contains: []string{`"path":"search"`}},
			{name: "counted by type", query: `{serviceItemCounts(tenant:"230102"){key name count}}`,
				contains: []string{`[{"count":3,"key":"01","name":"行政许可"},{"count":1,"key":"20","name":"公共服务"}]`}},
			{name: "counted by category", query: `{serviceItemCounts(tenant:"230000",by:"category"){key count}}`,
				contains: []string{`{"count":1,"key":""}`, `{"count":1,"key":"人力资源社会保障"}`, `{"count":1,"key":"住房城乡建设"}`, `{"count":1,"key":"市场监管"}`}},
			{name: "counted by something else", query: `{serviceItemCounts(tenant:"230000",by:"name"){key}}`, code: "VALIDATION_FAILED", contains: []string{`"path":"by"`}},
			{name: "counted at no tenant", query: `{serviceItemCounts(tenant:"999999"){key}}`, code: "FORBIDDEN", contains: []string{"unknown tenant 999999"}},
		})
	})
}
