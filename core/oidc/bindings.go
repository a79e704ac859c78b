package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// Labels on the RoleBindings that sign-ins manage. A binding without them is an
// administrator's and is never changed.
const (
	LabelManagedBy      = "gdbos.io/managed-by"
	LabelProvider       = "gdbos.io/oidc-provider"
	LabelProviderTenant = "gdbos.io/oidc-provider-tenant"
	managedBy           = "oidc"
	bindingKind         = "RoleBinding"
	maxBindingName      = 128
)

var unsafeNameRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// BindingName is the name of the RoleBinding through which provider's members of
// group receive role: oidc-{provider}-{group}-{role}, with characters a resource
// name cannot hold replaced and a short hash added when anything was replaced.
func BindingName(provider, group, role string) string {
	raw := "oidc-" + provider + "-" + group + "-" + role
	name := unsafeNameRE.ReplaceAllString(raw, "-")
	if name == raw && len(name) <= maxBindingName && isAlnum(name[len(name)-1]) {
		return name
	}
	h := sha256.Sum256([]byte(raw))
	suffix := "-" + hex.EncodeToString(h[:4])
	name = strings.TrimRight(name, "-._")
	if len(name) > maxBindingName-len(suffix) {
		name = name[:maxBindingName-len(suffix)]
	}
	return name + suffix
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// syncGroups brings every group binding of p in step with the user's groups:
// the user is added to the bindings of the groups they are in and removed from
// those of the groups they left. It returns what could not be done.
func (f *Federation) syncGroups(ctx context.Context, p provider, username string, groups []string) []string {
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	var warnings []string
	for _, gb := range p.spec.GroupBindings {
		if err := f.syncBinding(ctx, p, gb, username, slices.Contains(groups, gb.Group)); err != nil {
			msg := fmt.Sprintf("group %q, role %q at %s: %v", gb.Group, gb.Role, gb.Tenant, err)
			f.cfg.Logger.WarnContext(ctx, "oidc: group binding not in step", slog.String("provider", p.key()),
				slog.String("user", username), slog.String("binding", msg))
			warnings = append(warnings, msg)
		}
	}
	return warnings
}

func (f *Federation) syncBinding(ctx context.Context, p provider, gb GroupBinding, username string, member bool) error {
	if !f.cfg.Tenants.IsWithin(gb.Tenant, p.tenant) {
		return fmt.Errorf("oidc: tenant %s is not %s or below it", gb.Tenant, p.tenant)
	}
	name := BindingName(p.name, gb.Group, gb.Role)
	obj, err := f.cfg.Bindings.Get(ctx, bindingKind, gb.Tenant, name)
	switch {
	case apierr.CodeOf(err) == apierr.NotFound:
		if !member {
			return nil
		}
		obj = resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: bindingKind, Metadata: resource.Metadata{Tenant: gb.Tenant, Name: name}}
	case err != nil:
		return fmt.Errorf("oidc: read binding %s: %w", name, err)
	case !managedByProvider(obj, p) && member:
		return fmt.Errorf("oidc: binding %s exists and is not managed by this provider; it is left alone", name)
	case !managedByProvider(obj, p):
		return nil
	}
	subjects := subjectNames(obj.Spec)
	has := slices.Contains(subjects, username)
	if has == member && obj.Spec["role"] == gb.Role {
		return nil
	}
	if member && !has {
		subjects = append(subjects, username)
	}
	if !member {
		subjects = slices.DeleteFunc(subjects, func(s string) bool { return s == username })
	}
	if len(subjects) == 0 {
		if err := f.cfg.Bindings.Delete(ctx, Actor, bindingKind, gb.Tenant, name); err != nil {
			return fmt.Errorf("oidc: delete binding %s: %w", name, err)
		}
		return nil
	}
	obj.Metadata.Labels = map[string]string{LabelManagedBy: managedBy, LabelProvider: p.name, LabelProviderTenant: p.tenant}
	obj.Spec = bindingSpec(gb.Role, subjects)
	if _, err := f.cfg.Bindings.Apply(ctx, Actor, []resource.Object{obj}, resource.ApplyOptions{}); err != nil {
		return fmt.Errorf("oidc: apply binding %s: %w", name, err)
	}
	return nil
}

func managedByProvider(obj resource.Object, p provider) bool {
	l := obj.Metadata.Labels
	return l[LabelManagedBy] == managedBy && l[LabelProvider] == p.name && l[LabelProviderTenant] == p.tenant
}

func subjectNames(spec map[string]any) []string {
	list, _ := spec["subjects"].([]any)
	var out []string
	for _, s := range list {
		m, _ := s.(map[string]any)
		if m["kind"] == "User" {
			if n, ok := m["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

func bindingSpec(role string, users []string) map[string]any {
	subjects := make([]any, len(users))
	for i, u := range users {
		subjects[i] = map[string]any{"kind": "User", "name": u}
	}
	return map[string]any{"role": role, "subjects": subjects}
}
