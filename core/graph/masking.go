package graph

import (
	"context"
	"encoding/json"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/mask"
)

// fieldClass is one field's entry in a Classification resource.
type fieldClass struct {
	Level string    `json:"level"`
	Mask  mask.Rule `json:"mask"`
}

// defaultClasses classify the kernel's own personal fields where no Classification
// resource says otherwise.
var defaultClasses = map[string]map[string]fieldClass{
	"User": {
		"idNumber": {Level: "personal", Mask: mask.Rule{KeepFirst: 4, KeepLast: 4}},
		"phone":    {Level: "personal", Mask: mask.Rule{KeepFirst: 3, KeepLast: 4}},
	},
}

// maskedValue returns v as the caller may see it: in the clear for public and internal
// fields or when the caller may unmask the record type at the record's tenant,
// masked otherwise. area is the permission area of the record type ("users").
func (g *Graph) maskedValue(ctx context.Context, recordType, area, tenantCode, field, v string) (string, error) {
	if v == "" {
		return v, nil
	}
	fc, err := g.classOf(ctx, recordType, tenantCode, field)
	if err != nil {
		return "", err
	}
	if fc.Level != "personal" && fc.Level != "sensitive" {
		return v, nil
	}
	if g.allowed(ctx, tenantCode, area, "unmask") {
		return v, nil
	}
	return fc.Mask.Apply(v, g.maskKey), nil
}

// classOf is the effective classification of a field at a tenant: the inherited
// Classification resource's entry, else the default; unclassified fields are public.
func (g *Graph) classOf(ctx context.Context, recordType, tenantCode, field string) (fieldClass, error) {
	if tenantCode != "" && tenantCode != "*" {
		eff, err := g.svc.Resources.Effective(ctx, "Classification", tenantCode, recordType)
		switch {
		case err == nil:
			if fc, ok := classFromSpec(eff.Spec, field); ok {
				return fc, nil
			}
		case apierr.CodeOf(err) != apierr.NotFound:
			return fieldClass{}, err
		}
	}
	if fc, ok := defaultClasses[recordType][field]; ok {
		return fc, nil
	}
	return fieldClass{Level: "public"}, nil
}

func classFromSpec(spec map[string]any, field string) (fieldClass, bool) {
	fields, _ := spec["fields"].(map[string]any)
	raw, ok := fields[field]
	if !ok {
		return fieldClass{}, false
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fieldClass{}, false
	}
	var fc fieldClass
	if json.Unmarshal(b, &fc) != nil {
		return fieldClass{}, false
	}
	return fc, true
}

// classSet is the Classification of one record type at one tenant, every field
// read from the spec once.
type classSet map[string]fieldClass

// classesAt is the effective Classification of a record type at a tenant: what
// classOf answers for each of its fields, with one lookup of the resource.
func (g *Graph) classesAt(ctx context.Context, recordType, tenantCode string) (classSet, error) {
	set := classSet{}
	if tenantCode == "" || tenantCode == "*" {
		return set, nil
	}
	eff, err := g.svc.Resources.Effective(ctx, "Classification", tenantCode, recordType)
	switch {
	case err == nil:
		fields, _ := eff.Spec["fields"].(map[string]any)
		for name := range fields {
			if fc, ok := classFromSpec(eff.Spec, name); ok {
				set[name] = fc
			}
		}
	case apierr.CodeOf(err) != apierr.NotFound:
		return nil, err
	}
	return set, nil
}

// of is a field's class: the resource's entry, else the default; unclassified
// fields are public.
func (s classSet) of(recordType, field string) fieldClass {
	if fc, ok := s[field]; ok {
		return fc
	}
	if fc, ok := defaultClasses[recordType][field]; ok {
		return fc
	}
	return fieldClass{Level: "public"}
}
