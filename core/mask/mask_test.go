package mask

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	key := []byte("k")
	for _, c := range []struct {
		name string
		rule Rule
		in   string
		want string
	}{
		{"resident ID", Rule{KeepFirst: 4, KeepLast: 4}, "230102199001011230", "2301**********1230"},
		{"phone", Rule{KeepFirst: 3, KeepLast: 4}, "13812345678", "138****5678"},
		{"chinese name", Rule{KeepFirst: 1}, "张三丰", "张**"},
		{"other replacement", Rule{KeepLast: 2, Replace: "#"}, "abcdef", "####ef"},
		{"too short to keep anything hidden", Rule{KeepFirst: 3, KeepLast: 4}, "123456", "******"},
		{"redact", Rule{Redact: true}, "秘密", "**"},
		{"empty", Rule{KeepFirst: 1}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.rule.Apply(c.in, key); got != c.want {
				t.Fatalf("Apply(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	h1, h2 := Rule{Hash: true}.Apply("x", key), Rule{Hash: true}.Apply("x", []byte("other"))
	if !strings.HasPrefix(h1, "h:") || len(h1) != 18 || h1 == h2 {
		t.Fatalf("hash: %q %q", h1, h2)
	}
}

func TestCheck(t *testing.T) {
	for _, r := range []Rule{{KeepFirst: -1}, {Replace: "ab"}, {Hash: true, Redact: true}} {
		if r.Check() == nil {
			t.Errorf("%+v must be refused", r)
		}
	}
	if (Rule{KeepFirst: 3, KeepLast: 4}).Check() != nil {
		t.Error("a plain rule is fine")
	}
}

func FuzzApply(f *testing.F) {
	f.Add("230102199001011230", 4, 4)
	f.Fuzz(func(t *testing.T, v string, first, last int) {
		r := Rule{KeepFirst: first % 20, KeepLast: last % 20}
		if r.Check() != nil {
			return
		}
		out := r.Apply(v, nil)
		if len([]rune(out)) != len([]rune(v)) {
			t.Fatalf("length changed: %q → %q", v, out)
		}
	})
}
