package standard_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/standard"
)

// FuzzCompile: any spec compiles or is refused with paths, and a compiled element
// checks any value without panicking.
func FuzzCompile(f *testing.F) {
	c, err := standard.LoadCatalog(schemasFS)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("string", `[0-9]{6}`, "", "", "divisionCode", "county", "230102")
	f.Add("decimal", "", "0", "100.5", "", "", "12.345")
	f.Add("date", "", "1949-10-01", "today", "", "", "2024-02-29")
	f.Add("code", `(a`, "", "", "", "", "01")
	f.Fuzz(func(t *testing.T, typ, pattern, lo, hi, format, level, value string) {
		spec := standard.DataElementSpec{Type: typ, Pattern: pattern, Format: format, DivisionLevel: level}
		if lo != "" {
			spec.Minimum = lo
		}
		if hi != "" {
			spec.Maximum = hi
		}
		if typ == "code" {
			spec.CodeTable = "item-types"
		}
		e, err := standard.Compile("f", spec, c)
		if err != nil {
			return
		}
		_ = e.Check(value)
		_ = e.Check(nil)
		_ = e.Check(3.5)
	})
}

// FuzzParseCodeTable: any YAML builds a table or is refused; a built table answers
// lookups and walks without looping.
func FuzzParseCodeTable(f *testing.F) {
	f.Add([]byte("apiVersion: gdbos.io/v1\nkind: CodeTable\nmetadata: {name: t}\nspec: {codes: {\"1\": {name: a}, \"2\": {name: b, parent: \"1\", retired: true, successor: \"1\"}}}\n"))
	f.Add([]byte("kind: CodeTable\nmetadata: {name: t}\nspec: {codes: {a: {name: a, parent: b}, b: {name: b, parent: a}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := standard.ParseCodeTable(data)
		if err != nil {
			return
		}
		for _, c := range tab.Children("") {
			_ = tab.Children(c.Code)
			_ = tab.Ancestors(c.Code)
			_ = tab.Successor(c.Code, c.ValidFrom)
		}
	})
}
