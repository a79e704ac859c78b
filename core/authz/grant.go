package authz

import (
	"github.com/gdbos/gdbos/core/apierr"
)

// CanGrant returns nil when sub holds every one of perms at tenant, so it may put
// them in a role or bind a role carrying them there; otherwise a FORBIDDEN
// *apierr.Error listing each permission sub lacks. It stops privilege escalation
// through Role and RoleBinding writes.
func (a *Authorizer) CanGrant(sub Subject, tenant string, perms []Permission) error {
	var missing apierr.FieldList
	for _, p := range perms {
		if d := a.Check(sub, tenant, p.On, p.Action); !d.Allowed {
			missing.Add("/permissions", "%s is not held at %s: %s", p, tenant, d.Reason)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &apierr.Error{
		Code:    apierr.Forbidden,
		Message: "you cannot grant permissions you do not hold yourself at " + tenant,
		Fields:  missing,
	}
}
