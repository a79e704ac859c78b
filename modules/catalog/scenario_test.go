package catalog_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/modules/catalog"
)

// start runs a demo kernel with the catalog module on each database.
func start(t *testing.T, fn func(t *testing.T, s *kerneltest.Server)) {
	t.Helper()
	kerneltest.DialectOptions(t, func(t *testing.T, opts kerneltest.Options) {
		opts.Modules = []module.Module{catalog.New()}
		fn(t, kerneltest.Start(t, opts))
	})
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustApply applies YAML and fails the test on any error.
func mustApply(t testing.TB, s *kerneltest.Server, token, yaml string) {
	t.Helper()
	if r := s.Apply(t, token, yaml); len(r.Errors) > 0 {
		t.Fatalf("apply: %s", r.Body)
	}
}

// seed applies the province's items and the city's implementations.
func seed(t testing.TB, s *kerneltest.Server, token string) {
	t.Helper()
	mustApply(t, s, token, readFile(t, "testdata/province.yaml"))
	mustApply(t, s, token, readFile(t, "testdata/city.yaml"))
}

type check struct {
	name       string
	query      string
	vars       map[string]any
	code       string
	contains   []string
	notContain []string
}

func run(t *testing.T, s *kerneltest.Server, token string, checks []check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, token, c.query, c.vars)
			if r.Code() != c.code {
				t.Fatalf("code %q, want %q: %s", r.Code(), c.code, r.Body)
			}
			for _, f := range c.contains {
				if !strings.Contains(r.Body, f) {
					t.Errorf("answer lacks %q: %s", f, r.Body)
				}
			}
			for _, f := range c.notContain {
				if strings.Contains(r.Body, f) {
					t.Errorf("answer holds %q: %s", f, r.Body)
				}
			}
		})
	}
}

func impl(tenant, code, spec string) string {
	return "apiVersion: gdbos.io/v1\nkind: ServiceImplementation\nmetadata: {tenant: \"" + tenant + "\", name: \"" + code + "\"}\nspec: " + spec + "\n"
}

func TestCatalogScenario(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		applyQ := `mutation($y:String!){applyResources(yaml:$y){op resource{kind tenant name}}}`
		run(t, s, admin, []check{
			{name: "writes need the module enabled", query: applyQ, vars: map[string]any{"y": readFile(t, "testdata/province.yaml")[strings.Index(readFile(t, "testdata/province.yaml"), "---")+4:]},
				code: "VALIDATION_FAILED", contains: []string{"not enabled"}},
		})
		mustApply(t, s, admin, "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230000\", name: catalog}\nspec: {enabled: true}\n")
		run(t, s, admin, []check{
			{name: "an item must lock the 四级四同 fields", query: applyQ, vars: map[string]any{"y": `apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "000101009000"}
spec: {code: "000101009000", name: 个体工商户登记, type: "01", legalBasis: [{law: 促进个体工商户发展条例}], tiers: [county]}
locks: [/name]
`}, code: "VALIDATION_FAILED", contains: []string{`"path":"/locks"`, "must lock /code", "must lock /legalBasis", "must lock /type"}},
			{name: "every schema error with its path", query: applyQ, vars: map[string]any{"y": `apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "000101009000"}
spec: {code: "x", name: 个, type: "1", legalBasis: [], tiers: [village]}
locks: [/name, /code, /type, /legalBasis]
`}, code: "VALIDATION_FAILED", contains: []string{`/spec/code`, `/spec/name`, `/spec/type`, `/spec/legalBasis`, `/spec/tiers/0`}},
			{name: "the type must be in the item-types code table", query: applyQ, vars: map[string]any{"y": `apiVersion: gdbos.io/v1
kind: ServiceItem
metadata: {tenant: "230000", name: "000101009000"}
spec: {code: "000101009000", name: 个体工商户登记, type: "99", legalBasis: [{law: 条例}], tiers: [county]}
locks: [/name, /code, /type, /legalBasis]
`}, code: "VALIDATION_FAILED", contains: []string{`"path":"/spec/type"`, "item-types"}},
		})
		seed(t, s, admin)
		bad := impl("230102", "000101001000", `{implementingBody: {name: 道里区市场监督管理局, creditCode: "112301020000100731"}, promisedDays: 20}`)
		run(t, s, admin, []check{
			{name: "a district may not rename a locked item", query: applyQ,
				vars: map[string]any{"y": impl("230102", "000101001000", `{name: 道里区企业开办}`)},
				code: "LOCKED", contains: []string{"/spec/name", `"lockedBy":"230000"`, "locked by tenant 230000"}},
			{name: "nor change its legal basis", query: applyQ,
				vars: map[string]any{"y": impl("230102", "000101001000", `{legalBasis: [{law: 道里区规定}]}`)},
				code: "LOCKED", contains: []string{"/spec/legalBasis"}},
			{name: "a wrong credit code, code and time limits are reported together", query: applyQ, vars: map[string]any{"y": bad},
				code: "VALIDATION_FAILED", contains: []string{"/spec/implementingBody/creditCode", "check character", "/spec/promisedDays", "more than the statutory 15"}},
			{name: "a stated 实施编码 must be the computed one", query: applyQ,
				vars: map[string]any{"y": impl("230102", "000101001000", `{implementingBody: {name: 道里区市场监督管理局, creditCode: "112301020000100730"}, implementationCode: "1123010200001007303000101001000"}`)},
				code: "VALIDATION_FAILED", contains: []string{"/spec/implementationCode", "must be 1123010200001007304000101001000"}},
			{name: "不见面 needs an online address", query: applyQ,
				vars: map[string]any{"y": strings.NewReplacer("  onlineURL: https://zwfw.harbin.gov.cn/item/000102002000\n", "", "visits: 1", "visits: 0").
					Replace(strings.Split(readFile(t, "testdata/city.yaml"), "---\n")[1])},
				code: "VALIDATION_FAILED", contains: []string{"/spec/onlineURL"}},
			{name: "an implementation needs an item", query: applyQ,
				vars: map[string]any{"y": impl("230102", "000999999000", `{place: 道里区}`)},
				code: "VALIDATION_FAILED", contains: []string{"no ServiceItem 000999999000"}},
			{name: "a district fills in an unlocked field", query: applyQ,
				vars:     map[string]any{"y": impl("230102", "000101001000", `{place: 道里区政务服务中心, promisedDays: 1}`)},
				contains: []string{`"op":"created"`}},
			{name: "the district's effective list", query: `{effectiveImplementations(tenant:"230102"){totalCount nodes{tenant code name implementationCode visits online}}}`,
				contains: []string{`"totalCount":3`, `{"code":"000101001000","implementationCode":"1123010000001007334000101001000","name":"企业设立登记","online":true,"tenant":"230102","visits":0}`,
					`"implementationCode":"11230100000020079D3000102002000"`}},
			{name: "the effective spec merges item, city and district", query: `{serviceImplementation(tenant:"230102",code:"000101001000"){spec locks}}`,
				contains: []string{`"place":"道里区政务服务中心"`, `"promisedDays":1`, `"name":"企业设立登记"`, `/name by 230000`}},
			{name: "online only", query: `{effectiveImplementations(tenant:"230102",onlineOnly:true){totalCount}}`, contains: []string{`"totalCount":2`}},
			{name: "by department", query: `{effectiveImplementations(tenant:"230103",department:"230100-zjj"){nodes{code}}}`, contains: []string{`000102002000`}, notContain: []string{"000101001000"}},
			{name: "search in Chinese", query: `{searchImplementations(tenant:"230100",query:"施工许可"){totalCount nodes{code tenant}}}`,
				contains: []string{`"totalCount":1`, `000102002000`}},
			{name: "search conditions and materials", query: `{searchImplementations(tenant:"230000",query:"公司章程"){nodes{code}}}`, contains: []string{`000101001000`}},
			{name: "search needs adjacent characters", query: `{searchImplementations(tenant:"230000",query:"设立许可"){totalCount}}`, contains: []string{`"totalCount":0`}},
			{name: "one character", query: `{searchImplementations(tenant:"230000",query:"证"){totalCount}}`, contains: []string{`"totalCount":4`}},
			{name: "search within a district", query: `{searchImplementations(tenant:"230102",query:"企业设立"){nodes{tenant}}}`, contains: []string{`"tenant":"230102"`}, notContain: []string{`"230100"`}},
			{name: "the basic catalog in force", query: `{serviceItems(tenant:"230102",type:"01"){totalCount nodes{code name typeName tenant locks} pageInfo{hasNextPage}}}`,
				contains: []string{`"totalCount":2`, `"typeName":"行政许可（01）"`, `"/name by 230000"`, `"tenant":"230000"`}},
			{name: "items page by page", query: `{serviceItems(tenant:"230000",first:2){edges{cursor} pageInfo{hasNextPage endCursor}}}`,
				contains: []string{`"hasNextPage":true`}},
			{name: "the guide", query: `{serviceGuide(tenant:"230102",code:"000101001000")}`,
				contains: []string{"办事指南", "企业设立登记", "道里区政务服务中心", "公司章程", "0 次（不见面办理）", "承诺件"}},
		})
		for _, g := range []struct {
			path   string
			status int
			has    string
		}{
			{"/modules/catalog/guide/230102/000101001000", 200, "道里区政务服务中心"},
			{"/modules/catalog/guide/230103/000101001000", 200, "哈尔滨市政务服务中心一楼"},
			{"/modules/catalog/guide/230102/000999999000", 404, ""},
			{"/modules/catalog/guide/230200/000101001000", 404, ""},
			{"/modules/catalog/guide/999999/000101001000", 404, ""},
		} {
			res, err := http.Get(s.URL + g.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != g.status || !strings.Contains(string(b), g.has) {
				t.Fatalf("GET %s: %d %s", g.path, res.StatusCode, b)
			}
		}
	})
}
