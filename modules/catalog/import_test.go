package catalog_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const importQ = `mutation($t:String!,$c:String!,$i:Boolean,$d:Boolean){importServiceList(tenant:$t,csv:$c,items:$i,dryRun:$d){rows items created updated unchanged dryRun errors}}`

func TestImportList(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		list := readFile(t, "testdata/list.csv")
		header, rows, _ := strings.Cut(list, "\n")
		row1, row2, _ := strings.Cut(rows, "\n")
		// The province's copy of the list: exercised at the province as well.
		provinceList := strings.ReplaceAll(strings.ReplaceAll(list, "\"市,县\"", "\"省,市,县\""), ",市,哈尔滨", ",\"省,市\",哈尔滨")
		broken := header + "\n" +
			strings.Replace(row1, "112301000000100733", "112301000000100734", 1) + "\n" + // wrong check character
			strings.Replace(row2, ",30,10,", ",ten,10,", 1) + "\n" // not a number
		run(t, s, admin, []check{
			{name: "items are not in the catalog yet", query: importQ, vars: map[string]any{"t": "230100", "c": list},
				contains: []string{`"row":1`, `"row":2`, "no ServiceItem 000301004000"}},
			{name: "the province imports items and implementations, dry run", query: importQ, vars: map[string]any{"t": "230000", "c": provinceList, "i": true, "d": true},
				contains: []string{`"errors":[]`, `"items":2`, `"dryRun":true`}},
			{name: "a dry run wrote nothing", query: `{serviceImplementations(tenant:"230000"){totalCount}}`, contains: []string{`"totalCount":0`}},
			{name: "every row's problems, nothing written", query: importQ, vars: map[string]any{"t": "230100", "c": broken},
				contains: []string{`{"row":2,"column":"法定时限","message":"\"ten\" is not a whole number"}`}},
			{name: "unknown and missing columns", query: importQ, vars: map[string]any{"t": "230100", "c": "编码,名称\n1,2\n"},
				contains: []string{`"column":"编码","message":"unknown column"`, `"column":"统一社会信用代码","message":"required column is missing"`}},
		})
		// The province defines the items (its list carries them), then the city imports its list.
		r := s.Do(t, admin, importQ, map[string]any{"t": "230000", "c": provinceList, "i": true})
		if !strings.Contains(r.Body, `"errors":[]`) {
			t.Fatalf("province import: %s", r.Body)
		}
		run(t, s, admin, []check{
			{name: "the city's wrong credit code is reported on its row", query: importQ, vars: map[string]any{"t": "230100", "c": header + "\n" + strings.Replace(row1, "112301000000100733", "112301000000100734", 1) + "\n"},
				contains: []string{`"path":"/spec/implementingBody/creditCode"`, `"row":1`}},
			{name: "the city imports its list", query: importQ, vars: map[string]any{"t": "230100", "c": list},
				contains: []string{`"created":2`, `"errors":[]`}},
			{name: "again: unchanged", query: importQ, vars: map[string]any{"t": "230100", "c": list}, contains: []string{`"unchanged":2`}},
			{name: "the imported list is searchable", query: `{searchImplementations(tenant:"230100",query:"药师"){nodes{code}}}`, contains: []string{"000301005000"}},
		})
		// Export, then import the export: nothing changes.
		exp := s.MustDo(t, admin, `{exportServiceList(tenant:"230100")}`, nil)["exportServiceList"].(string)
		if !strings.Contains(exp, "食品经营许可") || !strings.Contains(exp, "营业执照|标准:统一社会信用代码") {
			t.Fatalf("export: %s", exp)
		}
		r = s.Do(t, admin, importQ, map[string]any{"t": "230100", "c": exp})
		if !strings.Contains(r.Body, `"created":0`) || !strings.Contains(r.Body, `"errors":[]`) {
			t.Fatalf("re-import of the export: %s", r.Body)
		}
	})
}
