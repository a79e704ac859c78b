package catalog_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/modules/catalog"
)

// TestSettings: a province extends the locked set (八同) and gives townships a tier
// digit through the catalog Module resource's settings.
func TestSettings(t *testing.T) {
	start(t, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		seed(t, s, admin)
		applyQ := `mutation($y:String!){applyResources(yaml:$y){op}}`
		eight := "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230000\", name: catalog}\nspec: {enabled: true, settings: {lockedFields: [/code, /legalBasis, /name, /type, /tiers, /category], tierDigits: {province: \"2\", city: \"3\", county: \"4\", township: \"5\"}}}\n"
		item := "apiVersion: gdbos.io/v1\nkind: ServiceItem\nmetadata: {tenant: \"230000\", name: \"000401007000\"}\nspec: {code: \"000401007000\", name: 居住证签注, type: \"07\", category: 公安, legalBasis: [{law: 居住证暂行条例}], tiers: [county, township]}\n"
		run(t, s, admin, []check{
			{name: "bad settings are refused where they are read", query: applyQ,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230000\", name: catalog}\nspec: {enabled: true, settings: {lockedFields: [name]}}\n---\n" + item + "locks: [/code, /legalBasis, /name, /type]\n"},
				code: "VALIDATION_FAILED", contains: []string{"/spec/settings/lockedFields/0"}},
			{name: "八同: the province locks six fields", query: applyQ, vars: map[string]any{"y": eight}},
			{name: "an item that locks four is refused", query: applyQ, vars: map[string]any{"y": item + "locks: [/code, /legalBasis, /name, /type]\n"},
				code: "VALIDATION_FAILED", contains: []string{"must lock /category", "must lock /tiers"}},
			{name: "with six it is defined", query: applyQ, vars: map[string]any{"y": item + "locks: [/code, /legalBasis, /name, /type, /tiers, /category]\n"}},
			{name: "dropping a lock later is refused too", query: applyQ, vars: map[string]any{"y": item + "locks: [/code, /legalBasis, /name, /type, /tiers]\n"},
				code: "VALIDATION_FAILED", contains: []string{"must lock /category"}},
			{name: "a street (township) implements it with tier digit 5", query: applyQ,
				vars: map[string]any{"y": impl("230102001", "000401007000", `{implementingBody: {name: 兆麟街道办事处, creditCode: "`+catalog.GovernmentCreditCode("230102", 501)+`"}, statutoryDays: 5, promisedDays: 1, processing: promised, visits: 0, onlineURL: "https://zwfw.harbin.gov.cn/x"}`)}},
			{name: "its 实施编码", query: `{serviceImplementation(tenant:"230102001",code:"000401007000"){implementationCode}}`,
				contains: []string{catalog.GovernmentCreditCode("230102", 501) + "5000401007000"}},
			{name: "the district may not change a category the province locked", query: applyQ,
				vars: map[string]any{"y": impl("230102", "000401007000", `{category: 户政}`)}, code: "LOCKED", contains: []string{"/spec/category"}},
		})
	})
}
