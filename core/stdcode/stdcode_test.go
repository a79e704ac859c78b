package stdcode

import (
	"errors"
	"testing"
)

func TestResidentID(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"11010519491231002X", true}, {"11010519491231002x", true}, {"440524188001010014", true},
		{"110105194912310021", false}, {"11010519491331002X", false}, {"1101051949123100", false},
		{"11010519491231002Y", false}, {"A10105194912310021", false}, {"110105299912310027", false},
	} {
		err := ResidentID(c.in)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrResidentID)) {
			t.Errorf("ResidentID(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestCreditCode(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"91350100M000100Y43", true}, {"12441500196720244T", true}, {"11511301008778183N", true}, {"115113010833722043", true},
		{"91350100M000100Y44", false}, {"91350100M000100I43", false}, {"9135", false},
	} {
		if err := CreditCode(c.in); (err == nil) != c.ok {
			t.Errorf("CreditCode(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestMobile(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"13812345678", true}, {"19912345678", true}, {"12812345678", false}, {"1381234567", false}, {"1381234567a", false},
	} {
		if err := Mobile(c.in); (err == nil) != c.ok {
			t.Errorf("Mobile(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func FuzzResidentID(f *testing.F) {
	f.Add("11010519491231002X")
	f.Fuzz(func(t *testing.T, s string) { _ = ResidentID(s) })
}

func TestEmail(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"zhang.san@hlj.gov.cn", true}, {"a+b@example.cn", true}, {"x@y.z", true},
		{"", false}, {"no-at.example.cn", false}, {"a@b@c.cn", false}, {"@example.cn", false}, {"a@localhost", false},
		{"a b@example.cn", false}, {".a@example.cn", false}, {"a@-x.cn", false}, {"a@x..cn", false}, {"张三@example.cn", false},
	} {
		err := Email(c.in)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrEmail)) {
			t.Errorf("Email(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// TestOrganizationCode uses characters 9–17 of the credit codes in STANDARDS.md.
func TestOrganizationCode(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"M000100Y4", true}, {"196720244", true}, {"008778183", true}, {"083372204", true}, {"08337220-4", true},
		{"M000100Y5", false}, {"m000100Y4", false}, {"12345", false},
	} {
		err := OrganizationCode(c.in)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrOrganizationCode)) {
			t.Errorf("OrganizationCode(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}
