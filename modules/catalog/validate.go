package catalog

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/standard"
	"github.com/gdbos/gdbos/schemas"
)

// admitItem checks what the schema cannot: the name is the 基本编码, the type is in
// the item-types code table in force at the tenant, the parent exists with a
// consistent level, and the item locks every field the module's settings require
// (四级四同, or the province's 八同).
func (c *Catalog) admitItem(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	if err := c.enabledAt(ctx, obj.Metadata.Tenant); err != nil {
		return err
	}
	var errs apierr.FieldList
	name, tenantCode, s := obj.Metadata.Name, obj.Metadata.Tenant, obj.Spec
	if err := CheckBasicCode(name); err != nil {
		errs.Add("/metadata/name", "%s", err.Error())
	}
	if code, ok := s["code"]; ok && code != name {
		errs.Add("/spec/code", "must equal metadata.name %q", name)
	}
	if t, ok := s["type"].(string); ok {
		if msg := c.checkType(ctx, tenantCode, t); msg != "" {
			errs.Add("/spec/type", "%s", msg)
		}
	}
	c.checkParent(ctx, obj, &errs)
	// The locks in force after this write: this layer's and its ancestors' (not the
	// layer it replaces, whose locks this write may drop).
	locks := map[string]bool{}
	for _, l := range obj.Locks {
		locks[l] = true
	}
	if t, ok := c.tenants.Get(tenantCode); ok && t.Parent != "" {
		if above, err := c.res.Effective(ctx, KindItem, t.Parent, name); err == nil {
			for l := range above.Locks {
				locks[l] = true
			}
		}
	}
	set, err := c.settings(ctx, tenantCode)
	if err != nil {
		return err
	}
	for _, want := range set.LockedFields {
		if !locks[want] {
			errs.Add("/locks", "must lock %s: the module's settings at %s require it at every tier (四级四同)", want, tenantCode)
		}
	}
	return errs.Err(fmt.Sprintf("invalid %s %q", KindItem, name))
}

// shippedStandards are the code tables shipped in schemas/, under any tenant's
// CodeTable resources.
var shippedStandards = sync.OnceValues(func() (*standard.Catalog, error) {
	return standard.LoadCatalog(schemas.FS)
})

// checkType looks typ up in the item-types code table in force at the tenant: the
// shipped table with the tenant's CodeTable layers over it (公共服务's code varies).
func (c *Catalog) checkType(ctx context.Context, tenantCode, typ string) string {
	cat, err := shippedStandards()
	if err != nil {
		return err.Error()
	}
	spec := cat.TableSpec("item-types")
	eff, err := c.res.Effective(ctx, "CodeTable", tenantCode, "item-types")
	if err == nil {
		spec = standard.Layer(spec, eff.Spec)
	}
	codes, _ := spec["codes"].(map[string]any)
	if _, ok := codes[typ]; !ok {
		known := make([]string, 0, len(codes))
		for k := range codes {
			known = append(known, k)
		}
		slices.Sort(known)
		return fmt.Sprintf("%q is not in the item-types code table (%v)", typ, known)
	}
	return ""
}

func (c *Catalog) checkParent(ctx context.Context, obj resource.Object, errs *apierr.FieldList) {
	s := obj.Spec
	level, parent := str(s["level"]), str(s["parent"])
	switch {
	case level == "main" && parent != "":
		errs.Add("/spec/parent", "a 主项 has no parent")
	case (level == "sub" || level == "handling") && parent == "":
		errs.Add("/spec/parent", "a %s needs its parent's 基本编码", level)
	case level == "handling" && str(s["handling"]) == "":
		errs.Add("/spec/handling", "a 业务办理项 says whether it is new, change, renew or cancel")
	case level != "handling" && level != "" && str(s["handling"]) != "":
		errs.Add("/spec/handling", "only a 业务办理项 has a handling kind")
	}
	if parent == "" {
		return
	}
	if parent == obj.Metadata.Name {
		errs.Add("/spec/parent", "an item cannot be its own parent")
		return
	}
	p, err := c.res.Effective(ctx, KindItem, obj.Metadata.Tenant, parent)
	if err != nil {
		errs.Add("/spec/parent", "item %s does not exist at %s (apply parents first)", parent, obj.Metadata.Tenant)
		return
	}
	pl := str(p.Spec["level"])
	if (level == "sub" && pl != "main") || (level == "handling" && pl != "main" && pl != "sub") {
		errs.Add("/spec/parent", "a %s's parent must be a higher level, %s is %q", level, parent, pl)
	}
}

// admitImplementation checks the name and that the module runs at the tenant; the
// rest needs the merged spec and runs once the batch is written
// (checkImplementation).
func (c *Catalog) admitImplementation(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	if err := c.enabledAt(ctx, obj.Metadata.Tenant); err != nil {
		return err
	}
	if err := CheckBasicCode(obj.Metadata.Name); err != nil {
		return apierr.Invalid("invalid "+KindImplementation, []apierr.FieldError{{Path: "/metadata/name", Message: err.Error()}})
	}
	return nil
}

// checkImplementation checks the effective implementation at its tenant: the tier
// may exercise the item, the 实施编码 is the body's credit code + tier digit + 基本编码,
// time limits fit (承诺 ≤ 法定; 即办件 promise 0 days), and 不见面 has an online
// address. It returns the problems with their paths.
func (c *Catalog) checkImplementation(ctx context.Context, eff resource.Effective, memo *settingsMemo) (apierr.FieldList, error) {
	var errs apierr.FieldList
	s := eff.Spec
	if _, fromItem := s["code"]; !fromItem {
		errs.Add("/metadata/name", "no ServiceItem %s in the basic catalog at or above %s", eff.Name, eff.Tenant)
		return errs, nil
	}
	t, _ := c.tenants.Get(eff.Tenant)
	level := string(t.Level)
	tiers := list(s["tiers"])
	if !slices.Contains(tiers, any(level)) {
		errs.Add("/spec/tiers", "the item is not exercised at %s level (tiers %v)", level, tiers)
	}
	set, err := memo.at(ctx, eff.Tenant)
	if err != nil {
		return nil, err
	}
	body, _ := s["implementingBody"].(map[string]any)
	digit, ok := set.TierDigits[level]
	switch {
	case !ok:
		errs.Add("/spec/implementationCode", "no tier digit for %s level: set settings.tierDigits of the catalog module", level)
	default:
		want, err := ImplementationCode(str(body["creditCode"]), digit[0], eff.Name)
		switch {
		case err != nil:
			errs.Add("/spec/implementingBody/creditCode", "%s", err.Error())
		case s["implementationCode"] != nil && s["implementationCode"] != want:
			errs.Add("/spec/implementationCode", "must be %s (credit code + tier digit %s + 基本编码)", want, digit)
		}
	}
	statutory, promised := num(s["statutoryDays"]), num(s["promisedDays"])
	if promised > statutory {
		errs.Add("/spec/promisedDays", "promises %d working days, more than the statutory %d", promised, statutory)
	}
	switch str(s["processing"]) {
	case "immediate":
		if promised != 0 {
			errs.Add("/spec/promisedDays", "a 即办件 is done on the spot: 0 days")
		}
	case "promised":
		if promised == 0 {
			errs.Add("/spec/promisedDays", "a 承诺件 promises at least 1 working day")
		}
	}
	if num(s["visits"]) == 0 && str(s["onlineURL"]) == "" {
		errs.Add("/spec/onlineURL", "is required when no visit on site is needed (不见面)")
	}
	return errs, nil
}

// enabledAt refuses writes where the module does not run (the effective Module
// resource "catalog" is not enabled).
func (c *Catalog) enabledAt(ctx context.Context, tenantCode string) error {
	// Enabled in the committed (cached) configuration, or else by the batch itself.
	if on, err := c.host.Enabled(context.Background(), tenantCode); err == nil && on {
		return nil
	}
	on, err := c.host.Enabled(ctx, tenantCode)
	if err != nil {
		return err
	}
	if !on {
		return apierr.Invalid("the catalog module is not enabled at "+tenantCode, []apierr.FieldError{{Path: "/metadata/tenant",
			Message: "enable the catalog module here or above (kind Module, name catalog, spec.enabled: true)"}})
	}
	return nil
}
