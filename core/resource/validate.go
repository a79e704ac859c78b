package resource

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gdbos/gdbos/core/apierr"
)

// Names are 1–128 characters of ASCII letters, digits, '-', '.' and '_', starting
// and ending with a letter or digit. This is Kubernetes' DNS-subdomain rule widened
// to uppercase and underscores, so division codes ("230100") and standard codes
// ("GB_T_2260") are names as they are.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$`)

const maxName = 128

// Label keys follow Kubernetes: an optional DNS prefix and '/', then a name of at
// most 63 characters. Values are any text of at most 256 characters without control
// characters (Kubernetes' value rule would refuse Chinese place names).
var (
	labelNameRE   = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$`)
	labelPrefixRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// Validate checks obj against its kind and the tenant tree and returns a
// VALIDATION_FAILED error listing every problem, or nil. A layer of an inheritable
// kind may omit required fields that its ancestors provide: Apply checks "required"
// on the effective spec, which Validate cannot see.
func (s *Service) Validate(obj Object) error {
	return s.check(&obj).Err(fmt.Sprintf("invalid %s %q", obj.Kind, obj.Metadata.Name))
}

func (s *Service) check(obj *Object) apierr.FieldList {
	var errs apierr.FieldList
	k, ok := s.kind(obj.Kind)
	switch {
	case obj.Kind == "":
		errs.Add("/kind", "is required")
	case !ok:
		errs.Add("/kind", "unknown kind %q", obj.Kind)
	case obj.APIVersion != k.APIVersion:
		errs.Add("/apiVersion", "must be %q for kind %s", k.APIVersion, k.Name)
	}
	s.checkTenant(obj.Metadata.Tenant, &errs)
	checkName(obj.Metadata.Name, &errs)
	checkLabels(obj.Metadata.Labels, &errs)
	checkLocks(obj.Locks, ok && k.Inheritable, &errs)
	if ok {
		spec, err := canonical(obj.Spec)
		if err != nil {
			errs.Add("/spec", "is not JSON: %v", err)
			return errs
		}
		obj.Spec = spec
		errs = append(errs, schemaErrors(k.schema, spec, k.Inheritable)...)
	}
	return errs
}

func (s *Service) checkTenant(code string, errs *apierr.FieldList) {
	if code == "" {
		errs.Add("/metadata/tenant", "is required")
		return
	}
	if _, ok := s.tenants.LineageCodes(code); !ok {
		errs.Add("/metadata/tenant", "tenant %q does not exist", code)
	}
}

func checkName(name string, errs *apierr.FieldList) {
	switch {
	case name == "":
		errs.Add("/metadata/name", "is required")
	case len(name) > maxName:
		errs.Add("/metadata/name", "must be at most %d characters", maxName)
	case !nameRE.MatchString(name):
		errs.Add("/metadata/name", "must be letters, digits, '-', '.' or '_', starting and ending with a letter or digit")
	}
}

func checkLabels(labels map[string]string, errs *apierr.FieldList) {
	for _, k := range sortedKeys(labels) {
		p := joinPointer("/metadata/labels", k)
		if msg := labelKeyProblem(k); msg != "" {
			errs.Add(p, "%s", msg)
		}
		v := labels[k]
		if utf8.RuneCountInString(v) > 256 || strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v) {
			errs.Add(p, "value must be at most 256 characters without control characters")
		}
	}
}

func labelKeyProblem(key string) string {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	}
	switch {
	case hasPrefix && (len(prefix) > 253 || !labelPrefixRE.MatchString(prefix)):
		return "key prefix must be a lowercase DNS name"
	case len(name) == 0 || len(name) > 63 || !labelNameRE.MatchString(name):
		return "key must be at most 63 letters, digits, '-', '.' or '_', starting and ending with a letter or digit"
	}
	return ""
}

func checkLocks(locks []string, inheritable bool, errs *apierr.FieldList) {
	if len(locks) > 0 && !inheritable {
		errs.Add("/locks", "only inheritable kinds have locks")
		return
	}
	for i, l := range locks {
		if !validPointer(l) {
			errs.Add(fmt.Sprintf("/locks/%d", i), "%q is not a JSON pointer into spec (like \"/name\")", l)
		}
	}
}
