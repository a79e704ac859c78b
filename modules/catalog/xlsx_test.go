package catalog

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
)

// makeXLSX writes rows as a minimal workbook the way spreadsheet programs do: text in
// shared strings, numbers inline as values, one run-formatted string, a gap column.
func makeXLSX(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var shared []string
	index := map[string]int{}
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := fmt.Sprintf("%s%d", colName(c), r+1)
			switch {
			case v == "":
			case isNumber(v):
				fmt.Fprintf(&sheet, `<c r="%s"><v>%s</v></c>`, ref, v)
			default:
				i, ok := index[v]
				if !ok {
					i = len(shared)
					index[v] = i
					shared = append(shared, v)
				}
				fmt.Fprintf(&sheet, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	var sst strings.Builder
	sst.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for i, s := range shared {
		if i == 0 {
			// A rich-text string: runs concatenate.
			half := len([]rune(s)) / 2
			fmt.Fprintf(&sst, `<si><r><t>%s</t></r><r><t>%s</t></r></si>`, html.EscapeString(string([]rune(s)[:half])), html.EscapeString(string([]rune(s)[half:])))
			continue
		}
		fmt.Fprintf(&sst, `<si><t xml:space="preserve">%s</t></si>`, html.EscapeString(s))
	}
	sst.WriteString(`</sst>`)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"xl/worksheets/sheet1.xml": sheet.String(), "xl/sharedStrings.xml": sst.String(),
		"xl/worksheets/sheet2.xml": `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>other sheet</t></is></c></row></sheetData></worksheet>`} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func colName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != "" && s[0] != '0'
}

func TestXLSXToCSV(t *testing.T) {
	b, err := os.ReadFile("testdata/list.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out, err := XLSXToCSV(makeXLSX(t, want))
	if err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("XLSX → CSV:\n%q\nwant\n%q", got, want)
	}
	for _, bad := range [][]byte{nil, []byte("PK not a zip"), makeXLSX(t, nil)[:40]} {
		if _, err := XLSXToCSV(bad); err == nil {
			t.Fatalf("%q read as XLSX", bad)
		}
	}
	if cols := []int{columnIndex("A1"), columnIndex("Z9"), columnIndex("AA1"), columnIndex("AB7"), columnIndex("1")}; !reflect.DeepEqual(cols, []int{0, 25, 26, 27, -1}) {
		t.Fatalf("column indexes %v", cols)
	}
}

// FuzzXLSXToCSV: arbitrary bytes never panic the reader.
func FuzzXLSXToCSV(f *testing.F) {
	f.Add(makeXLSX(f, [][]string{{"基本编码", "实施主体"}, {"000101001000", "局"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := XLSXToCSV(data)
		if err == nil {
			if _, err := csv.NewReader(bytes.NewReader(out)).ReadAll(); err != nil {
				t.Fatalf("the CSV it made does not parse: %v", err)
			}
		}
	})
}

// TestImportXLSX imports the city's list as a workbook through GraphQL.
func TestImportXLSX(t *testing.T) {
	kerneltest.DialectOptions(t, func(t *testing.T, opts kerneltest.Options) {
		opts.Modules = []module.Module{New()}
		s := kerneltest.Start(t, opts)
		admin := s.Admin(t)
		prov, err := os.ReadFile("testdata/province.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if r := s.Apply(t, admin, string(prov)); len(r.Errors) > 0 {
			t.Fatal(r.Body)
		}
		b, _ := os.ReadFile("../../examples/catalog/harbin-list.csv")
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		q := `mutation($x:String,$c:String){importServiceList(tenant:"230100",xlsx:$x,csv:$c){created errors}}`
		r := s.Do(t, admin, q, map[string]any{"x": base64.StdEncoding.EncodeToString(makeXLSX(t, rows))})
		if !strings.Contains(r.Body, `"created":3`) || !strings.Contains(r.Body, `"errors":[]`) {
			t.Fatalf("xlsx import: %s", r.Body)
		}
		for _, vars := range []map[string]any{{"x": "not base64!"}, {"x": base64.StdEncoding.EncodeToString([]byte("not a zip"))}, {}, {"x": "", "c": ""}} {
			if r := s.Do(t, admin, q, vars); r.Code() != "VALIDATION_FAILED" {
				t.Fatalf("%v: %s", vars, r.Body)
			}
		}
	})
}
