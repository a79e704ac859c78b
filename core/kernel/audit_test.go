package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestAuditTamperingIsNamed changes, removes and reorders entries behind the server's
// back (after dropping the append-only triggers, as an attacker with database access
// would) and checks that auditVerify names each one.
func TestAuditTamperingIsNamed(t *testing.T) {
	for _, c := range []struct {
		name, sql, kind string
	}{
		{"changed", `UPDATE audit_entries SET actor = 'mallory' WHERE id = 3`, `"id":"3","kind":"changed"`},
		{"removed", `DELETE FROM audit_entries WHERE id = 4`, `"kind":"removed"`},
		{"reordered", `UPDATE audit_entries SET id = -2 WHERE id = 2; UPDATE audit_entries SET id = 2 WHERE id = 3; UPDATE audit_entries SET id = 3 WHERE id = -2`, `"kind":"reordered"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := kerneltest.Start(t, kerneltest.Options{})
			admin := fixture(t, s)["auditor"] // logins, users and resources: plenty of entries
			if r := s.Do(t, admin, `{auditVerify{ok}}`, nil); !strings.Contains(r.Body, `"ok":true`) {
				t.Fatalf("before tampering: %s", r.Body)
			}
			db := s.K.Store().DB
			stmts := append([]string{`DROP TRIGGER audit_entries_no_update`, `DROP TRIGGER audit_entries_no_delete`}, strings.Split(c.sql, "; ")...)
			for _, stmt := range stmts {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			r := s.Do(t, admin, `{auditVerify{ok problems{id kind message}}}`, nil)
			if !strings.Contains(r.Body, `"ok":false`) || !strings.Contains(r.Body, c.kind) {
				t.Fatalf("verify must name the %s entry: %s", c.name, r.Body)
			}
		})
	}
}
