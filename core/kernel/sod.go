package kernel

import (
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/authz"
)

// Separation of duties: whoever can change permissions must not be able to change
// or erase the audit trail that records how they used them.
var (
	permissionKinds = map[string]bool{"Role": true, "RoleBinding": true, "Policy": true}
	changeActions   = map[string]bool{authz.ActionWrite: true, authz.ActionDelete: true, authz.Wildcard: true}
)

// duties names which of the two conflicting duties a set of permissions carries.
func duties(perms []authz.Permission) (managesPermissions, changesAudit bool) {
	for _, p := range perms {
		if !changeActions[p.Action] {
			continue
		}
		if p.On == authz.Wildcard || permissionKinds[p.On] {
			managesPermissions = true
		}
		if p.On == authz.AreaAudit { // no wildcard covers the audit trail
			changesAudit = true
		}
	}
	return
}

// checkDuties refuses permissions that both manage permissions and change the audit
// trail.
func checkDuties(what string, perms []authz.Permission) error {
	manages, changes := duties(perms)
	if !manages || !changes {
		return nil
	}
	var names []string
	for _, p := range perms {
		if changeActions[p.Action] && (p.On == authz.Wildcard || p.On == authz.AreaAudit || permissionKinds[p.On]) {
			names = append(names, p.On+":"+p.Action)
		}
	}
	return &apierr.Error{
		Code: apierr.Forbidden,
		Message: what + " would both change permissions and change the audit trail (" + strings.Join(names, ", ") +
			"); separation of duties keeps these in different hands",
		Fields: []apierr.FieldError{{Path: "/spec/permissions", Message: "separation of duties"}},
	}
}
