package catalog

import (
	"context"
	"fmt"
	"slices"

	"github.com/gdbos/gdbos/core/apierr"
)

// Settings are the module's settings at a tenant: the spec.settings of the
// effective Module resource named "catalog".
type Settings struct {
	// LockedFields are the JSON pointers every basic-catalog item must lock where it
	// is defined: 四级四同 by default; a province lists more for its "八同".
	LockedFields []string
	// TierDigits maps a tenant level to the tier digit of 实施编码.
	TierDigits map[string]string
}

// DefaultLockedFields is 四级四同: the same name, code, type and legal basis at every tier.
var DefaultLockedFields = []string{"/code", "/legalBasis", "/name", "/type"}

// defaultTierDigits are the tier codes of domain/STANDARDS.md; townships have none
// there, so a township implementation needs a setting.
var defaultTierDigits = map[string]string{"nation": "1", "province": "2", "city": "3", "county": "4"}

func (c *Catalog) settings(ctx context.Context, tenantCode string) (Settings, error) {
	s := Settings{LockedFields: DefaultLockedFields, TierDigits: defaultTierDigits}
	eff, err := c.res.Effective(ctx, "Module", tenantCode, "catalog")
	if apierr.CodeOf(err) == apierr.NotFound {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	raw, _ := eff.Spec["settings"].(map[string]any)
	var errs apierr.FieldList
	if v, ok := raw["lockedFields"]; ok {
		list, ok := v.([]any)
		s.LockedFields = nil
		for i, x := range list {
			p, isStr := x.(string)
			if !isStr || len(p) < 2 || p[0] != '/' {
				errs.Add(fmt.Sprintf("/spec/settings/lockedFields/%d", i), "must be a JSON pointer like /name")
				continue
			}
			s.LockedFields = append(s.LockedFields, p)
		}
		if !ok {
			errs.Add("/spec/settings/lockedFields", "must be a list of JSON pointers")
		}
		slices.Sort(s.LockedFields)
	}
	if v, ok := raw["tierDigits"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			errs.Add("/spec/settings/tierDigits", "must map tenant levels to digits")
		}
		s.TierDigits = map[string]string{}
		for level, d := range m {
			ds, isStr := d.(string)
			if !isStr || len(ds) != 1 || ds[0] < '1' || ds[0] > '9' {
				errs.Add("/spec/settings/tierDigits/"+level, "must be one digit 1-9")
				continue
			}
			s.TierDigits[level] = ds
		}
	}
	return s, errs.Err("the catalog module's settings at " + tenantCode + " are not valid")
}

// settingsMemo remembers the settings per tenant for one batch: a batch of 13,000
// implementations reads them once per tenant, not once per implementation.
type settingsMemo struct {
	c    *Catalog
	byAt map[string]Settings
}

func newSettingsMemo(c *Catalog) *settingsMemo {
	return &settingsMemo{c: c, byAt: map[string]Settings{}}
}

func (m *settingsMemo) at(ctx context.Context, tenantCode string) (Settings, error) {
	if m == nil {
		return Settings{}, fmt.Errorf("catalog: no settings memo")
	}
	if s, ok := m.byAt[tenantCode]; ok {
		return s, nil
	}
	s, err := m.c.settings(ctx, tenantCode)
	if err != nil {
		return s, err
	}
	m.byAt[tenantCode] = s
	return s, nil
}
