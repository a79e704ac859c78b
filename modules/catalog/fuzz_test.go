package catalog

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseList feeds arbitrary bytes to the item-list parser: it never panics,
// every row it accepts has a valid 基本编码 named alike in both objects, and every
// error names a row within the input.
func FuzzParseList(f *testing.F) {
	if b, err := os.ReadFile("testdata/list.csv"); err == nil {
		f.Add(b, true)
	}
	f.Add([]byte("基本编码,实施主体,统一社会信用代码\n000101001000,局,112301000000100733\n"), false)
	f.Add([]byte("code,bodyName,creditCode,visits\n\"000101001000\",\"a\"\"b\",x,3次\n"), false)
	f.Add([]byte("\xef\xbb\xbf基本编码,实施主体,统一社会信用代码,申请材料\n000101001000,局,1,a|标准:b;c；d\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, items bool) {
		rows, errs := ParseList(data, "230100", items)
		lines := strings.Count(string(data), "\n") + 1
		for _, r := range rows {
			if err := CheckBasicCode(r.impl.Metadata.Name); err != nil {
				t.Fatalf("row %d accepted with code %q", r.row, r.impl.Metadata.Name)
			}
			if items && (r.item == nil || r.item.Metadata.Name != r.impl.Metadata.Name) {
				t.Fatalf("row %d: item and implementation differ", r.row)
			}
			if r.row < 1 || r.row > lines {
				t.Fatalf("row number %d outside 1..%d", r.row, lines)
			}
		}
		for _, e := range errs {
			if e.Row < 0 || e.Row > lines || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
		}
	})
}
