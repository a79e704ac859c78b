package catalog

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Limits of an XLSX upload: a zip bomb stops at them.
const (
	maxXLSXPart  = 64 << 20
	maxXLSXParts = 1000
	maxXLSXCols  = 200
)

// XLSXToCSV reads the first worksheet of an Office Open XML workbook (shared and
// inline strings, numbers as written) and returns it as CSV, for ParseList. Formulas
// give their cached values; dates stay serial numbers; other sheets are ignored.
func XLSXToCSV(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("catalog: not an XLSX file: %w", err)
	}
	if len(zr.File) > maxXLSXParts {
		return nil, fmt.Errorf("catalog: XLSX has %d parts, more than %d", len(zr.File), maxXLSXParts)
	}
	parts := map[string]*zip.File{}
	var sheets []string
	for _, f := range zr.File {
		parts[f.Name] = f
		if path.Dir(f.Name) == "xl/worksheets" && strings.HasSuffix(f.Name, ".xml") {
			sheets = append(sheets, f.Name)
		}
	}
	if len(sheets) == 0 {
		return nil, fmt.Errorf("catalog: XLSX has no worksheet")
	}
	slices.SortFunc(sheets, func(a, b string) int { return sheetNumber(a) - sheetNumber(b) })
	var shared []string
	if f, ok := parts["xl/sharedStrings.xml"]; ok {
		raw, err := readPart(f)
		if err != nil {
			return nil, err
		}
		if shared, err = sharedStrings(raw); err != nil {
			return nil, err
		}
	}
	raw, err := readPart(parts[sheets[0]])
	if err != nil {
		return nil, err
	}
	rows, err := sheetRows(raw, shared)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sheetNumber(name string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "sheet"), ".xml"))
	if err != nil {
		return 1 << 30
	}
	return n
}

func readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxXLSXPart {
		return nil, fmt.Errorf("catalog: XLSX part %s is larger than %d bytes", f.Name, maxXLSXPart)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("catalog: XLSX part %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxXLSXPart+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: XLSX part %s: %w", f.Name, err)
	}
	if len(b) > maxXLSXPart {
		return nil, fmt.Errorf("catalog: XLSX part %s is larger than %d bytes", f.Name, maxXLSXPart)
	}
	return b, nil
}

// richText is a shared or inline string: plain <t> or runs <r><t>.
type richText struct {
	T    string `xml:"t"`
	Runs []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (r richText) String() string {
	if len(r.Runs) == 0 {
		return r.T
	}
	var b strings.Builder
	for _, run := range r.Runs {
		b.WriteString(run.T)
	}
	return b.String()
}

func sharedStrings(raw []byte) ([]string, error) {
	var sst struct {
		SI []richText `xml:"si"`
	}
	if err := xml.Unmarshal(raw, &sst); err != nil {
		return nil, fmt.Errorf("catalog: XLSX shared strings: %w", err)
	}
	out := make([]string, len(sst.SI))
	for i, si := range sst.SI {
		out[i] = si.String()
	}
	return out, nil
}

func sheetRows(raw []byte, shared []string) ([][]string, error) {
	var ws struct {
		Rows []struct {
			R     int `xml:"r,attr"`
			Cells []struct {
				Ref    string   `xml:"r,attr"`
				Type   string   `xml:"t,attr"`
				V      string   `xml:"v"`
				Inline richText `xml:"is"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(raw, &ws); err != nil {
		return nil, fmt.Errorf("catalog: XLSX worksheet: %w", err)
	}
	var out [][]string
	for _, row := range ws.Rows {
		if len(out) > maxImportRows+1 {
			break
		}
		var rec []string
		for i, c := range row.Cells {
			col := i
			if c.Ref != "" {
				if col = columnIndex(c.Ref); col < 0 {
					return nil, fmt.Errorf("catalog: XLSX cell reference %q", c.Ref)
				}
			}
			if col >= maxXLSXCols {
				return nil, fmt.Errorf("catalog: XLSX cell %s is beyond column %d", c.Ref, maxXLSXCols)
			}
			for len(rec) <= col {
				rec = append(rec, "")
			}
			switch c.Type {
			case "s":
				n, err := strconv.Atoi(strings.TrimSpace(c.V))
				if err != nil || n < 0 || n >= len(shared) {
					return nil, fmt.Errorf("catalog: XLSX cell %s refers to shared string %q", c.Ref, c.V)
				}
				rec[col] = shared[n]
			case "inlineStr":
				rec[col] = c.Inline.String()
			default:
				rec[col] = c.V
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// columnIndex turns a cell reference's letters (A1 → 0, AB7 → 27) into a column
// index, -1 when there are none.
func columnIndex(ref string) int {
	n, letters := 0, 0
	for _, r := range ref {
		if r < 'A' || r > 'Z' {
			break
		}
		n = n*26 + int(r-'A'+1)
		letters++
		if letters > 3 {
			return -1
		}
	}
	if letters == 0 {
		return -1
	}
	return n - 1
}
