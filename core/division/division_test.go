package division

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	valid := []struct {
		code string
		want Level
	}{
		{"100000", Nation},
		{"230000", Province},
		{"110000", Province},
		{"820000", Province},
		{"230100", City},
		{"232700", City},
		{"230102", County},
		{"230184", County},
		{"429004", County},
		{"230102001", Township},
		{"230102399", Township},
		{"441900003", Township},
	}
	for _, tc := range valid {
		got, err := Parse(tc.code)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.code, got, err, tc.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	invalid := []struct{ code, why string }{
		{"", "empty"},
		{"23010", "6 digits"},
		{"2301020", "6 digits"},
		{"230102001001", "6 digits"},
		{"23010a", "only digits"},
		{" 230102", "only digits"},
		{"000000", "province part"},
		{"100100", "province part"},
		{"990000", "province part"},
		{"230002", "prefecture part"},
		{"230000001", "township must sit below"},
		{"230102000", "township part"},
		{"230102400", "township part"},
		{"000000001", "first 6 digits"},
	}
	for _, tc := range invalid {
		_, err := Parse(tc.code)
		if err == nil {
			t.Errorf("Parse(%q) = nil error, want one mentioning %q", tc.code, tc.why)
			continue
		}
		if !errors.Is(err, ErrInvalidCode) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("Parse(%q) = %v, want ErrInvalidCode mentioning %q", tc.code, err, tc.why)
		}
	}
}

func TestNationalRootIsConfigurable(t *testing.T) {
	r := Rules{NationalRoot: "000000"}
	if l, err := r.Parse("000000"); err != nil || l != Nation {
		t.Fatalf("custom root: %q, %v", l, err)
	}
	if _, err := r.Parse("100000"); err == nil {
		t.Fatal("100000 must be invalid when the root is 000000")
	}
	if _, err := (Rules{}).Parse("100000"); err == nil {
		t.Fatal("100000 must be invalid without a national root")
	}
}

func TestImpliedParent(t *testing.T) {
	cases := map[string]string{
		"230102001": "230102",
		"441900003": "441900",
		"230102":    "230100",
		"230100":    "230000",
		"429004":    "429000",
		"230000":    "",
		"100000":    "",
		"bogus":     "",
	}
	for code, want := range cases {
		if got := ImpliedParent(code); got != want {
			t.Errorf("ImpliedParent(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestPrefix(t *testing.T) {
	cases := map[string]string{"230000": "23", "230100": "2301", "230102": "230102", "230102001": "230102001", "100000": "", "x": ""}
	for code, want := range cases {
		if got := Prefix(code); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestValidateChild(t *testing.T) {
	cases := []struct {
		parent, child Level
		ok            bool
	}{
		{Nation, Province, true},
		{Province, City, true},
		{Province, County, true},
		{City, County, true},
		{City, Township, true},
		{County, Township, true},
		{Nation, City, false},
		{Province, Township, false},
		{County, County, false},
		{Township, Township, false},
		{City, Province, false},
		{"bogus", City, false},
		{City, "bogus", false},
	}
	for _, tc := range cases {
		err := ValidateChild(tc.parent, tc.child)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateChild(%q, %q) = %v, want ok=%v", tc.parent, tc.child, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidLevel) {
			t.Errorf("ValidateChild(%q, %q) = %v, want ErrInvalidLevel", tc.parent, tc.child, err)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, s := range []string{"nation", "province", "city", "county", "township"} {
		if l, err := ParseLevel(s); err != nil || string(l) != s {
			t.Errorf("ParseLevel(%q) = %q, %v", s, l, err)
		}
	}
	if _, err := ParseLevel("village"); !errors.Is(err, ErrInvalidLevel) {
		t.Errorf("ParseLevel(village) = %v, want ErrInvalidLevel", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"230000", "230100", "230102", "230102001", "100000", "429004", "", "23a", "230000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		level, err := Parse(code)
		if err != nil {
			if level != "" || !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("Parse(%q) = %q, %v", code, level, err)
			}
			return
		}
		parent := ImpliedParent(code)
		if parent == "" {
			if level != Nation && level != Province {
				t.Fatalf("%s %q has no implied parent", level, code)
			}
			return
		}
		pl, perr := Parse(parent)
		if perr != nil {
			if level != County {
				t.Fatalf("implied parent %q of %q: %v", parent, code, perr)
			}
			return
		}
		if err := ValidateChild(pl, level); err != nil {
			t.Fatalf("implied parent %q (%s) of %q (%s): %v", parent, pl, code, level, err)
		}
	})
}
