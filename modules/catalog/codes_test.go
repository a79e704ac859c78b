package catalog

import (
	"reflect"
	"strings"
	"testing"
)

// The credit codes are domain/STANDARDS.md's valid test vectors.
func TestImplementationCode(t *testing.T) {
	cases := []struct {
		credit string
		tier   byte
		basic  string
		want   string
		err    string
	}{
		{"91350100M000100Y43", '3', "000101001000", "91350100M000100Y433000101001000", ""},
		{"12441500196720244T", '4', "0001010010AB", "12441500196720244T40001010010AB", ""},
		{"11511301008778183N", '2', "000101001000", "11511301008778183N2000101001000", ""},
		{"115113010833722043", '1', "000101001000", "1151130108337220431000101001000", ""},
		{"91350100M000100Y44", '3', "000101001000", "", "check character"},
		{"91350100M000100Y4", '3', "000101001000", "", "17 characters"},
		{"91350100M000100Y43", '0', "000101001000", "", "tier digit"},
		{"91350100M000100Y43", '3', "00010100100", "", "基本编码"},
		{"91350100M000100Y43", '3', "00010100100a", "", "基本编码"},
	}
	for _, c := range cases {
		got, err := ImplementationCode(c.credit, c.tier, c.basic)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("ImplementationCode(%s, %c, %s) = %q, %v; want %q", c.credit, c.tier, c.basic, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ImplementationCode(%s, %c, %s): error %v, want one mentioning %q", c.credit, c.tier, c.basic, err, c.err)
		}
		if c.err == "" {
			credit, tier, basic, err := SplitImplementationCode(got)
			if err != nil || credit != c.credit || tier != c.tier || basic != c.basic {
				t.Errorf("SplitImplementationCode(%s) = %s %c %s %v", got, credit, tier, basic, err)
			}
		}
	}
	if _, _, _, err := SplitImplementationCode("91350100M000100Y43300010100100"); err == nil {
		t.Error("a 30-character 实施编码 split")
	}
	for i := range 500 {
		for _, div := range []string{"230100", "230102", "230184"} {
			if _, err := ImplementationCode(GovernmentCreditCode(div, i), '3', "000101001000"); err != nil {
				t.Fatalf("GovernmentCreditCode(%s, %d) = %s: %v", div, i, GovernmentCreditCode(div, i), err)
			}
		}
	}
}

func TestTerms(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"企业设立登记", []string{"企业", "业设", "设立", "立登", "登记"}},
		{"证", []string{"证"}},
		{"ICP备案", []string{"icp", "备案"}},
		{"0451-12345 咨询", []string{"0451", "12345", "咨询"}},
		{"《中华人民共和国建筑法》第七条", []string{"中华", "华人", "人民", "民共", "共和", "和国", "国建", "建筑", "筑法", "第七", "七条"}},
		{"", nil},
		{"——，。", nil},
	}
	for _, c := range cases {
		if got := Terms(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for q, want := range map[string]string{
		"施工许可":   `"施工 工许 许可"`,
		"施工 许可":  `"施工" AND "许可"`,
		`a"b 企业`: `"a" AND "b" AND "企业"`,
		"——":     "",
	} {
		if got := ftsQuery(q); got != want {
			t.Errorf("ftsQuery(%q) = %s, want %s", q, got, want)
		}
	}
}
