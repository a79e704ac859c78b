package identity_test

import (
	"fmt"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestCreateUserValidation(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		cases := []struct {
			name   string
			in     identity.UserInput
			code   apierr.Code
			fields []string
		}{
			{"every problem listed", identity.UserInput{Username: "1Bad", Password: "short"}, apierr.ValidationFailed, []string{"username", "password"}},
			{"one letter", identity.UserInput{Username: "a", Password: goodPW}, apierr.ValidationFailed, []string{"username"}},
			{"duplicate", identity.UserInput{Username: "alice", Password: goodPW}, apierr.Conflict, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.CreateUser(ctx, "admin", c.in)
				wantErr(t, err, c.code, "")
				ae, _ := apierr.As(err)
				if len(ae.Fields) != len(c.fields) {
					t.Fatalf("fields = %+v, want %v", ae.Fields, c.fields)
				}
				for i, f := range c.fields {
					if ae.Fields[i].Path != f {
						t.Fatalf("fields = %+v, want %v", ae.Fields, c.fields)
					}
				}
			})
		}
	})
}

// TestFailedWriteLeavesNothing makes the outbox refuse inserts: the user row and
// the audit entry written before it in the same transaction must vanish too.
func TestFailedWriteLeavesNothing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		refuse := []string{`CREATE TRIGGER outbox_refuse BEFORE INSERT ON outbox_events
BEGIN SELECT RAISE(ABORT, 'outbox refused'); END`}
		if s.IsPostgres() {
			refuse = []string{
				`CREATE FUNCTION outbox_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$`,
				`CREATE TRIGGER outbox_refuse BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION outbox_refuse()`,
			}
		}
		for _, q := range refuse {
			if _, err := s.DB.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.CreateUser(ctx, "admin", identity.UserInput{Username: "ghost", Password: goodPW})
		if err == nil {
			t.Fatal("create succeeded though the outbox refused its event")
		}
		_, err = e.svc.GetUser(ctx, "ghost")
		wantErr(t, err, apierr.NotFound, "")
		if _, _, total, _ := e.log.List(ctx, audit.Filter{}, 10, 0); total != 0 {
			t.Fatalf("%d audit entries left behind", total)
		}
	})
}

func TestListUsers(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for i := range 5 {
			e.user(t, fmt.Sprintf("user%d", i), goodPW)
		}
		e.user(t, "zed", goodPW)
		page, next, total, err := e.svc.ListUsers(ctx, "USER", 3, 0)
		if err != nil || !next || total != 5 || len(page) != 3 || page[0].Username != "user0" {
			t.Fatalf("page 1 = %+v %v %d %v", page, next, total, err)
		}
		page, next, _, err = e.svc.ListUsers(ctx, "user", 3, page[2].ID)
		if err != nil || next || len(page) != 2 || page[1].Username != "user4" {
			t.Fatalf("page 2 = %+v %v %v", page, next, err)
		}
	})
}

func TestOrgUnitsAndMemberships(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		mk := func(in identity.OrgUnitInput) error {
			_, err := e.svc.CreateOrgUnit(ctx, "admin", in)
			return err
		}
		for _, in := range []identity.OrgUnitInput{
			{Tenant: "230100", Code: "zwfw", Name: "政务服务管理办公室"},
			{Tenant: "230100", Code: "zwfw-1", Name: "综合窗口", Kind: identity.KindOffice, ParentCode: "zwfw"},
			{Tenant: "230102", Code: "js01", Name: "建设街道", Kind: identity.KindStreet},
		} {
			if err := mk(in); err != nil {
				t.Fatal(err)
			}
		}
		wantErr(t, mk(identity.OrgUnitInput{Tenant: "230100", Code: "zwfw", Name: "again"}), apierr.Conflict, "")
		wantErr(t, mk(identity.OrgUnitInput{Tenant: "230100", Code: "x1", Name: "n", ParentCode: "js01"}), apierr.ValidationFailed, "parentCode")
		err := mk(identity.OrgUnitInput{Tenant: "", Code: "-", Name: "", Kind: "team"})
		if ae, ok := apierr.As(err); !ok || len(ae.Fields) != 4 {
			t.Fatalf("validation = %v", err)
		}
		units, err := e.svc.ListOrgUnits(ctx, "230100")
		if err != nil || len(units) != 2 || units[1].ParentCode != "zwfw" || units[0].Kind != identity.KindDepartment {
			t.Fatalf("units = %+v %v", units, err)
		}
		if err := e.svc.AddMembership(ctx, "admin", "alice", "230100", "zwfw-1", "窗口人员"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.AddMembership(ctx, "admin", "alice", "230100", "zwfw-1", ""), apierr.Conflict, "")
		wantErr(t, e.svc.AddMembership(ctx, "admin", "alice", "230102", "zwfw", ""), apierr.NotFound, "")
		ms, err := e.svc.Memberships(ctx, "alice")
		if err != nil || len(ms) != 1 || ms[0].UnitName != "综合窗口" || ms[0].Title != "窗口人员" || ms[0].Tenant != "230100" {
			t.Fatalf("memberships = %+v %v", ms, err)
		}
	})
}
