package authz

import (
	"reflect"
	"testing"
)

func TestLineageRoles(t *testing.T) {
	rm := newLineageRoles(demoTree())
	for _, l := range [][3]string{
		{"user:alice", "role:viewer", "230100"},
		{"user:bob", "role:admin", "230102"},
		{"role:admin", "role:viewer", "230000"},
	} {
		if err := rm.AddLink(l[0], l[1], l[2]); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name1, name2, domain string
		want                 bool
	}{
		{"user:alice", "role:viewer", "230100", true},
		{"user:alice", "role:viewer", "230102001", true},
		{"user:alice", "role:viewer", "230000", false},
		{"user:alice", "role:viewer", "230200", false},
		{"user:bob", "role:viewer", "230102001", true},
		{"user:bob", "role:viewer", "230100", false},
		{"user:alice", "user:alice", "239999", true},
		{"user:alice", "role:viewer", "239999", false},
	}
	for _, c := range cases {
		if got, err := rm.HasLink(c.name1, c.name2, c.domain); err != nil || got != c.want {
			t.Errorf("HasLink(%s, %s, %s) = %v, %v; want %v", c.name1, c.name2, c.domain, got, err, c.want)
		}
	}
	if got, _ := rm.GetRoles("user:alice", "230102"); !reflect.DeepEqual(got, []string{"role:viewer"}) {
		t.Errorf("GetRoles = %v", got)
	}
	if got, _ := rm.GetImplicitRoles("user:bob", "230102"); !reflect.DeepEqual(got, []string{"role:admin", "role:viewer"}) {
		t.Errorf("GetImplicitRoles = %v", got)
	}
	if got, _ := rm.GetUsers("role:viewer", "230102"); !reflect.DeepEqual(got, []string{"role:admin", "user:alice"}) {
		t.Errorf("GetUsers = %v", got)
	}
	if got, _ := rm.GetAllDomains(); !reflect.DeepEqual(got, []string{"230000", "230100", "230102"}) {
		t.Errorf("GetAllDomains = %v", got)
	}
	if err := rm.DeleteLink("user:alice", "role:viewer", "230100"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := rm.HasLink("user:alice", "role:viewer", "230100"); ok {
		t.Error("link survives DeleteLink")
	}
	if err := rm.DeleteLink("user:alice", "role:viewer", "230100"); err == nil {
		t.Error("deleting a missing link succeeds")
	}
	if _, err := rm.HasLink("user:bob", "role:admin"); err == nil {
		t.Error("HasLink without a domain succeeds")
	}
	if err := rm.DeleteDomain("230102"); err != nil {
		t.Fatal(err)
	}
	if got, _ := rm.GetDomains("user:bob"); len(got) != 0 {
		t.Errorf("GetDomains after DeleteDomain = %v", got)
	}
}
