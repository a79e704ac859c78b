package standard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/standard"
	"github.com/gdbos/gdbos/schemas"
)

func catalog(t testing.TB) *standard.Catalog {
	t.Helper()
	c, err := standard.LoadCatalog(schemas.FS)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	return c
}

func element(t testing.TB, c *standard.Catalog, name string) *standard.Element {
	t.Helper()
	e, err := c.Element(name)
	if err != nil {
		t.Fatalf("element %s: %v", name, err)
	}
	return e
}

// TestVectors checks the shipped elements against the test vectors of STANDARDS.md
// and a few broken variants of each.
func TestVectors(t *testing.T) {
	c := catalog(t)
	for _, v := range []struct {
		element, value string
		rule, message  string // rule "" = valid; message is a fragment
	}{
		// GB 32100 unified social credit codes
		{"uscc", "91350100M000100Y43", "", ""},
		{"uscc", "12441500196720244T", "", ""},
		{"uscc", "11511301008778183N", "", ""},
		{"uscc", "115113010833722043", "", ""},
		{"uscc", "91350100M000100Y44", "format", "check character is 4, expected 3"},
		{"uscc", "91350100M000100I43", "format", "character 16 (I) is not allowed"},
		{"uscc", "9135010", "format", "it has 7 characters, not 18"},
		// GB 11714 organisation codes (characters 9–17 of the credit codes)
		{"organizationCode", "M000100Y4", "", ""},
		{"organizationCode", "083372204", "", ""},
		{"organizationCode", "M000100Y5", "format", "expected 4"},
		// GB 11643 resident ID numbers, with their birth dates
		{"residentId", "11010519491231002X", "", ""},
		{"residentId", "11010519491231002x", "", ""},
		{"residentId", "440524188001010014", "", ""},
		{"residentId", "110105194912310021", "format", "expected X"},
		{"residentId", "11010519490231002X", "format", "19490231 is not a possible birth date"},
		{"residentId", "11010518000101002X", "format", "18000101 is not a possible birth date"},
		{"residentId", "11010529991231002X", "format", "29991231 is not a possible birth date"},
		{"residentId", "1101051949123100", "format", "it has 16 characters, not 18"},
		// GB/T 2260 divisions: in the table, at the level asked
		{"divisionCode", "230000", "", ""},
		{"divisionCode", "230100", "", ""},
		{"divisionCode", "230102", "", ""},
		{"divisionCode", "230199", "format", "230199 is not a division in the code table divisions"},
		{"divisionCode", "990000", "format", "province part 99 is outside 11–82"},
		{"divisionCode", "23010", "format", "must have 6 digits"},
		{"countyCode", "230102", "", ""},
		{"countyCode", "230100", "divisionLevel", "230100 (哈尔滨市) is a city, not a county"},
		{"countyCode", "230000", "divisionLevel", "is a province, not a county"},
		// mainland mobile numbers
		{"mobile", "13812345678", "", ""},
		{"mobile", "19912345678", "", ""},
		{"mobile", "12812345678", "format", "expected 11 digits starting 13–19"},
		{"mobile", "1381234567", "format", "expected 11 digits"},
		{"mobile", "1381234567a", "format", "character 11 is not a digit"},
		// e-mail, item types, evaluation levels, industries
		{"email", "zhang.san@hlj.gov.cn", "", ""},
		{"email", "zhang.san", "format", "it has no @"},
		{"itemType", "01", "", ""},
		{"itemType", "1", "codeTable", "1 is not a code of the code table item-types (事项类型)"},
		{"evaluationLevel", "5", "", ""},
		{"evaluationLevel", "6", "codeTable", "not a code"},
		{"industryCode", "65", "", ""},
		{"industryCode", "I", "", ""},
		{"postalCode", "150001", "", ""},
		{"postalCode", "15000", "pattern", "does not match"},
	} {
		ps := element(t, c, v.element).Check(v.value)
		switch {
		case v.rule == "" && len(ps) > 0:
			t.Errorf("%s %q: unexpected problems %v", v.element, v.value, ps)
		case v.rule != "" && !hasProblem(ps, v.rule, v.message):
			t.Errorf("%s %q: want %s problem with %q, got %v", v.element, v.value, v.rule, v.message, ps)
		}
	}
}

func hasProblem(ps []standard.Problem, rule, fragment string) bool {
	for _, p := range ps {
		if p.Rule == rule && strings.Contains(p.Message, fragment) {
			return true
		}
	}
	return false
}

// TestCompileErrors: every problem of a spec is reported, each with its path.
func TestCompileErrors(t *testing.T) {
	c := catalog(t)
	for _, tc := range []struct {
		name string
		spec standard.DataElementSpec
		want map[string]string // path → message fragment
	}{
		{"no type", standard.DataElementSpec{}, map[string]string{"/spec/type": "needs a type"}},
		{"unknown type and classification", standard.DataElementSpec{Type: "text", Classification: "secret"},
			map[string]string{"/spec/type": `unknown type "text"`, "/spec/classification": `unknown classification "secret"`}},
		{"bad pattern, with its position", standard.DataElementSpec{Type: "string", Pattern: `[0-9]{3}(\d`},
			map[string]string{"/spec/pattern": "the ( at character 9 is never closed"}},
		{"bad escape", standard.DataElementSpec{Type: "string", Pattern: `ab\qc`},
			map[string]string{"/spec/pattern": `invalid escape sequence at character 3: \q`}},
		{"lengths upside down", standard.DataElementSpec{Type: "string", MinLength: ptr(5), MaxLength: ptr(2)},
			map[string]string{"/spec/maxLength": "maxLength 2 is below minLength 5"}},
		{"range upside down", standard.DataElementSpec{Type: "decimal", Minimum: 10.5, Maximum: "3"},
			map[string]string{"/spec/maximum": "maximum 3 is below minimum 10.5"}},
		{"date range upside down", standard.DataElementSpec{Type: "date", Minimum: "2024-01-01", Maximum: "2023-12-31"},
			map[string]string{"/spec/maximum": "below minimum 2024-01-01"}},
		{"bound of the wrong kind", standard.DataElementSpec{Type: "date", Minimum: "yesterday"},
			map[string]string{"/spec/minimum": "must be a date or today/now"}},
		{"rules for the wrong type", standard.DataElementSpec{Type: "integer", Format: "uscc", Scale: ptr(2), MinLength: ptr(1)},
			map[string]string{"/spec/format": "only to types string and code", "/spec/scale": "only to type decimal", "/spec/minLength": "only to types string and code"}},
		{"enum of the wrong type", standard.DataElementSpec{Type: "integer", Enum: []any{1, "two"}},
			map[string]string{"/spec/enum/1": "two is not a integer value"}},
		{"code without a table", standard.DataElementSpec{Type: "code"}, map[string]string{"/spec/codeTable": "needs a code table"}},
		{"unknown table", standard.DataElementSpec{Type: "code", CodeTable: "nope"}, map[string]string{"/spec/codeTable": "there is no code table nope"}},
		{"division level without the format", standard.DataElementSpec{Type: "string", DivisionLevel: "city"},
			map[string]string{"/spec/divisionLevel": "only to format divisionCode"}},
		{"unknown division level", standard.DataElementSpec{Type: "string", Format: "divisionCode", DivisionLevel: "village"},
			map[string]string{"/spec/divisionLevel": `unknown division level "village"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := standard.Compile("x", tc.spec, c)
			e, ok := apierr.As(err)
			if !ok || e.Code != apierr.ValidationFailed {
				t.Fatalf("want VALIDATION_FAILED, got %v", err)
			}
			for path, frag := range tc.want {
				found := false
				for _, f := range e.Fields {
					found = found || (f.Path == path && strings.Contains(f.Message, frag))
				}
				if !found {
					t.Errorf("no %s problem with %q in %v", path, frag, e.Fields)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestCodeTable: lookups over validity dates, children, successors, and the
// consistency checks with paths.
func TestCodeTable(t *testing.T) {
	tab, err := standard.NewCodeTable("t", standard.CodeTableSpec{Title: "测试", Codes: map[string]standard.CodeSpec{
		"1":  {Name: "一"},
		"11": {Name: "一一", Parent: "1", ValidTo: "2024-01-01", Successor: "12"},
		"12": {Name: "一二", Parent: "1", ValidFrom: "2024-01-01"},
		"13": {Name: "一三", Parent: "1", Retired: true, Successor: "11"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	before, after := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := tab.Lookup("11", before); !ok {
		t.Error("11 is valid in 2023")
	}
	if _, ok := tab.Lookup("11", after); ok {
		t.Error("11 expired at the end of 2023")
	}
	if c, ok := tab.Lookup("9", after); c != nil || ok {
		t.Error("9 is not a code")
	}
	if s := tab.Successor("13", after); s == nil || s.Code != "12" {
		t.Errorf("13 → 11 (expired) → 12: got %v", s)
	}
	if kids := tab.Children("1"); len(kids) != 3 || kids[0].Code != "11" {
		t.Errorf("children of 1: %v", kids)
	}
	if roots := tab.Children(""); len(roots) != 1 {
		t.Errorf("roots: %v", roots)
	}
	e, err := standard.Compile("x", standard.DataElementSpec{Type: "code", CodeTable: "t"}, standard.Tables{"t": tab})
	if err != nil {
		t.Fatal(err)
	}
	if ps := e.CheckAt("11", after); !hasProblem(ps, "codeTable", "11 (一一) expired on 2024-01-01; use its successor 12 (一二)") {
		t.Errorf("expired: %v", ps)
	}
	if ps := e.CheckAt("12", before); !hasProblem(ps, "codeTable", "12 (一二) is valid only from 2024-01-01") {
		t.Errorf("not yet valid: %v", ps)
	}

	_, err = standard.NewCodeTable("bad", standard.CodeTableSpec{Codes: map[string]standard.CodeSpec{
		"a": {Name: "a", Parent: "b"}, "b": {Name: "b", Parent: "c"}, "c": {Name: "c", Parent: "a"},
		"d": {Parent: "d", Successor: "zz"}, "e": {Name: "e", ValidFrom: "2024-05-01", ValidTo: "2024-01-01"},
		"f": {Name: "f", ValidTo: "2024/01/01", Successor: "f"},
	}})
	want := map[string]string{
		"/spec/codes/a/parent":    "parents form a cycle: a → b → c → a",
		"/spec/codes/d/name":      "needs a name",
		"/spec/codes/d/parent":    "cannot be its own parent",
		"/spec/codes/d/successor": "successor zz is not a code",
		"/spec/codes/e/validTo":   "must be after validFrom",
		"/spec/codes/f/validTo":   "is not a date",
		"/spec/codes/f/successor": "cannot succeed itself",
	}
	e2, ok := apierr.As(err)
	if !ok {
		t.Fatalf("want a validation error, got %v", err)
	}
	if len(e2.Fields) != len(want) {
		t.Errorf("want %d problems (one per cycle), got %v", len(want), e2.Fields)
	}
	for path, frag := range want {
		found := false
		for _, f := range e2.Fields {
			found = found || (f.Path == path && strings.Contains(f.Message, frag))
		}
		if !found {
			t.Errorf("no %s problem with %q in %v", path, frag, e2.Fields)
		}
	}
}

// TestLayer: a tenant's table adds and retires codes over the shipped one.
func TestLayer(t *testing.T) {
	c := catalog(t)
	spec := standard.Layer(c.TableSpec("item-types"), map[string]any{"codes": map[string]any{
		"20": map[string]any{"retired": true, "successor": "21"}, "21": map[string]any{"name": "公共服务事项"},
	}})
	tab, err := standard.BuildCodeTable("item-types", spec)
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Get("20"); c == nil || c.Name != "公共服务" || !c.Retired {
		t.Errorf("20 keeps its name and is retired: %+v", c)
	}
	if orig, _ := c.CodeTable("item-types"); orig.Get("20").Retired {
		t.Error("the shipped table changed")
	}
}

// TestCoerce: values are converted to the element's type.
func TestCoerce(t *testing.T) {
	for _, tc := range []struct {
		spec  standard.DataElementSpec
		in    any
		want  any
		fails bool
	}{
		{standard.DataElementSpec{Type: "integer"}, "42", int64(42), false},
		{standard.DataElementSpec{Type: "integer"}, 42.0, int64(42), false},
		{standard.DataElementSpec{Type: "integer"}, 4.5, nil, true},
		{standard.DataElementSpec{Type: "decimal"}, "12.50", "12.50", false},
		{standard.DataElementSpec{Type: "decimal"}, 0.1, "0.1", false},
		{standard.DataElementSpec{Type: "decimal"}, "1e5", nil, true},
		{standard.DataElementSpec{Type: "boolean"}, "true", true, false},
		{standard.DataElementSpec{Type: "boolean"}, "yes", nil, true},
		{standard.DataElementSpec{Type: "date"}, "2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), false},
		{standard.DataElementSpec{Type: "date"}, "2023-02-29", nil, true},
		{standard.DataElementSpec{Type: "datetime"}, "2024-05-01T09:30:00+08:00", time.Date(2024, 5, 1, 1, 30, 0, 0, time.UTC), false},
		{standard.DataElementSpec{Type: "string"}, 12, nil, true},
		{standard.DataElementSpec{Type: "string"}, nil, nil, true},
	} {
		e, err := standard.Compile("x", tc.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, ps := e.Coerce(tc.in)
		if (len(ps) > 0) != tc.fails {
			t.Errorf("%s %v: problems %v", tc.spec.Type, tc.in, ps)
		}
		if tt, ok := tc.want.(time.Time); ok {
			if g, _ := got.(time.Time); !g.Equal(tt) {
				t.Errorf("%s %v = %v, want %v", tc.spec.Type, tc.in, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%s %v = %#v, want %#v", tc.spec.Type, tc.in, got, tc.want)
		}
	}
}

func BenchmarkCheckCreditCode(b *testing.B) {
	e := element(b, catalog(b), "uscc")
	b.ReportAllocs()
	for b.Loop() {
		if ps := e.Check("91350100M000100Y43"); ps != nil {
			b.Fatal(ps)
		}
	}
}

// BenchmarkCheckElement checks a code against a table (successor lookup on the
// failing path) and a string with a pattern and lengths.
func BenchmarkCheckElement(b *testing.B) {
	c := catalog(b)
	b.Run("divisionCode", func(b *testing.B) {
		e := element(b, c, "countyCode")
		b.ReportAllocs()
		for b.Loop() {
			if ps := e.Check("230102"); ps != nil {
				b.Fatal(ps)
			}
		}
	})
	b.Run("pattern+length", func(b *testing.B) {
		e := element(b, c, "enterpriseName")
		b.ReportAllocs()
		for b.Loop() {
			if ps := e.Check("哈尔滨市道里区某某科技有限公司"); ps != nil {
				b.Fatal(ps)
			}
		}
	})
	b.Run("decimal", func(b *testing.B) {
		e := element(b, c, "registeredCapital")
		b.ReportAllocs()
		for b.Loop() {
			if ps := e.Check("100.5"); ps != nil {
				b.Fatal(ps)
			}
		}
	})
}
