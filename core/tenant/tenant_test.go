package tenant_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
	"github.com/gdbos/gdbos/core/tenant"
)

func demo(t testing.TB, s *store.Store) *tenant.Service {
	t.Helper()
	svc := tenant.New(s)
	n, err := svc.LoadDemo(context.Background(), "test")
	if err != nil || n != 33 {
		t.Fatalf("LoadDemo = %d, %v; want 33", n, err)
	}
	return svc
}

func codes(ts []tenant.Tenant) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

func TestDemoTree(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		if n, err := svc.LoadDemo(context.Background(), "test"); n != 0 || err != nil {
			t.Fatalf("second LoadDemo = %d, %v; want 0, nil", n, err)
		}
		if svc.Count() != 33 {
			t.Fatalf("Count = %d", svc.Count())
		}
		kids := svc.Children("230100")
		if len(kids) != 18 || kids[0].Code != "230102" || kids[0].Name != "道里区" {
			t.Fatalf("Children(230100) = %d, first %+v", len(kids), kids[0])
		}
		if got := codes(svc.Children("230000")); len(got) != 13 || !slices.IsSorted(got) {
			t.Fatalf("Children(230000) = %v", got)
		}
		lin, ok := svc.LineageCodes("230102001")
		if want := []string{"230000", "230100", "230102", "230102001"}; !ok || !reflect.DeepEqual(lin, want) {
			t.Fatalf("LineageCodes = %v, %v", lin, ok)
		}
		if got := codes(svc.Ancestors("230102001")); !reflect.DeepEqual(got, []string{"230000", "230100", "230102"}) {
			t.Fatalf("Ancestors = %v", got)
		}
		street, _ := svc.Get("230102001")
		if street.Path != "/230000/230100/230102/230102001/" || street.Level != division.Township || street.Status != tenant.StatusActive {
			t.Fatalf("Get(230102001) = %+v", street)
		}
		if got := codes(svc.Roots()); !reflect.DeepEqual(got, []string{"230000"}) {
			t.Fatalf("Roots = %v", got)
		}
	})
}

func TestIsWithin(t *testing.T) {
	svc := demo(t, storetest.SQLite(t))
	cases := []struct {
		code, ancestor string
		want           bool
	}{
		{"230102001", "230102", true},
		{"230102001", "230100", true},
		{"230102001", "230000", true},
		{"230102", "230102", true},
		{"230102", "230200", false},
		{"230100", "230102", false},
		{"230200", "230100", false},
		{"999999", "230000", false},
		{"230102", "", false},
	}
	for _, tc := range cases {
		if got := svc.IsWithin(tc.code, tc.ancestor); got != tc.want {
			t.Errorf("IsWithin(%s, %s) = %v", tc.code, tc.ancestor, got)
		}
	}
}

func TestList(t *testing.T) {
	svc := demo(t, storetest.SQLite(t))
	cases := []struct {
		name string
		opt  tenant.ListOptions
		want int
	}{
		{"all", tenant.ListOptions{}, 33},
		{"parent", tenant.ListOptions{Parent: "230100"}, 18},
		{"level", tenant.ListOptions{Level: "city"}, 13},
		{"within", tenant.ListOptions{Within: "230100"}, 20},
		{"code prefix", tenant.ListOptions{Search: "23010"}, 7},
		{"name", tenant.ListOptions{Search: "哈尔滨"}, 1},
		{"combined", tenant.ListOptions{Within: "230100", Level: "county", Search: "区"}, 9},
		{"nothing", tenant.ListOptions{Parent: "230200"}, 0},
	}
	for _, tc := range cases {
		got := svc.List(tc.opt)
		if len(got) != tc.want || !slices.IsSorted(codes(got)) {
			t.Errorf("%s: List = %d %v, want %d", tc.name, len(got), codes(got), tc.want)
		}
	}
}

func TestReloadReproducesTree(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		ctx := context.Background()
		if _, err := svc.Create(ctx, "test", tenant.Tenant{Code: "230102002", Name: "新阳路街道"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Retire(ctx, "test", "230102002", "230102001"); err != nil {
			t.Fatal(err)
		}
		fresh := tenant.New(s)
		if err := fresh.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if a, b := svc.List(tenant.ListOptions{}), fresh.List(tenant.ListOptions{}); !reflect.DeepEqual(a, b) {
			t.Fatalf("reloaded tree differs:\n%v\n%v", a, b)
		}
		for _, code := range []string{"230000", "230100", "230102"} {
			if a, b := svc.Children(code), fresh.Children(code); !reflect.DeepEqual(a, b) {
				t.Fatalf("Children(%s) differ", code)
			}
		}
	})
}

func fieldPaths(err error) []string {
	e, ok := apierr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path)
	}
	return out
}

func TestCreateInvalidListsEveryProblem(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		if _, err := svc.Retire(context.Background(), "test", "230102001", ""); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			in   tenant.Tenant
			want []string
		}{
			{"bad code, no name", tenant.Tenant{Code: "23x"}, []string{"/name", "/code"}},
			{"level mismatch", tenant.Tenant{Code: "230202", Name: "x", Level: division.City}, []string{"/level"}},
			{"unknown level", tenant.Tenant{Code: "230202", Name: "x", Level: "village"}, []string{"/level"}},
			{"missing parent", tenant.Tenant{Code: "240102", Name: "x"}, []string{"/parent"}},
			{"missing explicit parent", tenant.Tenant{Code: "230102", Name: "x", Parent: "240100"}, []string{"/parent"}},
			{"wrong digits", tenant.Tenant{Code: "230202", Name: "x", Parent: "230100"}, []string{"/parent"}},
			{"level skip", tenant.Tenant{Code: "230103001", Name: "x", Parent: "230000"}, []string{"/parent"}},
			{"retired parent", tenant.Tenant{Code: "230102001", Name: "x", Level: division.County, Parent: "230102001"}, []string{"/level", "/parent", "/parent"}},
			{"everything", tenant.Tenant{Code: "230202", Name: " ", Level: division.Province, Parent: "230102"}, []string{"/name", "/level", "/parent", "/parent"}},
		}
		for _, tc := range cases {
			_, err := svc.Create(context.Background(), "test", tc.in)
			if apierr.CodeOf(err) != apierr.ValidationFailed || !reflect.DeepEqual(fieldPaths(err), tc.want) {
				t.Errorf("%s: Create = %v; want paths %v", tc.name, err, tc.want)
			}
		}
		if svc.Count() != 33 {
			t.Fatalf("invalid creates changed the tree: %d", svc.Count())
		}
	})
}

func TestCreate(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		ctx := context.Background()
		var topics []string
		svc.OnChange = func(ctx context.Context, tx *ent.Tx, topic string, tn tenant.Tenant) error {
			topics = append(topics, topic+" "+tn.Code+" by "+tenant.Actor(ctx))
			return nil
		}
		got, err := svc.Create(ctx, "alice", tenant.Tenant{Code: "230202", Name: " 龙沙区 "})
		if err != nil {
			t.Fatal(err)
		}
		want := tenant.Tenant{Code: "230202", Name: "龙沙区", Level: division.County, Parent: "230200", Path: "/230000/230200/230202/", Status: tenant.StatusActive}
		if got != want {
			t.Fatalf("Create = %+v", got)
		}
		if kids := svc.Children("230200"); len(kids) != 1 || kids[0] != want {
			t.Fatalf("tree not updated: %+v", kids)
		}
		if !svc.IsWithin("230202", "230000") || !reflect.DeepEqual(topics, []string{"tenant.created 230202 by alice"}) {
			t.Fatalf("IsWithin or hook wrong: %v", topics)
		}
		_, err = svc.Create(ctx, "alice", tenant.Tenant{Code: "230202", Name: "again"})
		if apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("duplicate: %v", err)
		}
	})
}

func TestCreateProvinceAdministeredCounty(t *testing.T) {
	svc := tenant.New(storetest.SQLite(t))
	ctx := context.Background()
	for _, tn := range []tenant.Tenant{{Code: "100000", Name: "中国"}, {Code: "420000", Name: "湖北省", Parent: "100000"}} {
		if _, err := svc.Create(ctx, "test", tn); err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.Create(ctx, "test", tenant.Tenant{Code: "429004", Name: "仙桃市"})
	if !reflect.DeepEqual(fieldPaths(err), []string{"/parent"}) {
		t.Fatalf("implied parent: %v", err)
	}
	got, err := svc.Create(ctx, "test", tenant.Tenant{Code: "429004", Name: "仙桃市", Parent: "420000"})
	if err != nil || got.Path != "/100000/420000/429004/" {
		t.Fatalf("explicit parent: %+v, %v", got, err)
	}
}

func TestHookErrorRollsBack(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		boom := errors.New("boom")
		svc.OnChange = func(context.Context, *ent.Tx, string, tenant.Tenant) error { return boom }
		ctx := context.Background()
		if _, err := svc.Create(ctx, "test", tenant.Tenant{Code: "230202", Name: "龙沙区"}); !errors.Is(err, boom) {
			t.Fatalf("Create = %v", err)
		}
		if _, err := svc.Retire(ctx, "test", "230102001", ""); !errors.Is(err, boom) {
			t.Fatalf("Retire = %v", err)
		}
		fresh := tenant.New(s)
		if err := fresh.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ := fresh.Get("230102001")
		if _, ok := svc.Get("230202"); ok || fresh.Count() != 33 || !st.Active() {
			t.Fatal("a failed hook must roll the write back")
		}
	})
}

func TestRetire(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		svc := demo(t, s)
		ctx := context.Background()
		cases := []struct {
			name, code, successor string
			want                  apierr.Code
		}{
			{"unknown", "239999", "", apierr.NotFound},
			{"active children", "230102", "230103", apierr.Conflict},
			{"unknown successor", "230102001", "230102002", apierr.ValidationFailed},
			{"self successor", "230102001", "230102001", apierr.ValidationFailed},
		}
		for _, tc := range cases {
			if _, err := svc.Retire(ctx, "test", tc.code, tc.successor); apierr.CodeOf(err) != tc.want {
				t.Errorf("%s: Retire = %v, want %s", tc.name, err, tc.want)
			}
		}
		got, err := svc.Retire(ctx, "test", "230102001", "230103")
		if err != nil || got.Status != tenant.StatusRetired || got.Successor != "230103" {
			t.Fatalf("Retire = %+v, %v", got, err)
		}
		if cur, _ := svc.Get("230102001"); cur != got {
			t.Fatalf("tree not updated: %+v", cur)
		}
		if _, err := svc.Retire(ctx, "test", "230102001", ""); apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("retire twice: %v", err)
		}
		if _, err := svc.Retire(ctx, "test", "230102", "230102001"); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("retired successor: %v", err)
		}
		if _, err := svc.Retire(ctx, "test", "230102", "230103"); err != nil {
			t.Fatalf("retire after its children: %v", err)
		}
	})
}
