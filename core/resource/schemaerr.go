package resource

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/gdbos/gdbos/core/apierr"
)

var english = message.NewPrinter(language.English)

// schemaErrors validates spec and returns every leaf error of jsonschema's nested
// output, located under "/spec", sorted by path. A partial spec (a layer of an
// inheritable kind) may leave required fields to its ancestors.
func schemaErrors(sch *jsonschema.Schema, spec map[string]any, partial bool) []apierr.FieldError {
	err := sch.Validate(any(spec))
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []apierr.FieldError{{Path: "/spec", Message: err.Error()}}
	}
	var out []apierr.FieldError
	flatten(verr, partial, &out)
	slices.SortStableFunc(out, func(a, b apierr.FieldError) int { return cmpPath(a.Path, b.Path) })
	return slices.CompactFunc(out, func(a, b apierr.FieldError) bool { return a == b })
}

func flatten(e *jsonschema.ValidationError, partial bool, out *[]apierr.FieldError) {
	if len(e.Causes) > 0 && !isAlternative(e.ErrorKind) {
		for _, c := range e.Causes {
			flatten(c, partial, out)
		}
		return
	}
	base := "/spec"
	for _, tok := range e.InstanceLocation {
		base = joinPointer(base, tok)
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if partial {
			return
		}
		for _, m := range k.Missing {
			*out = append(*out, apierr.FieldError{Path: joinPointer(base, m), Message: "is required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, apierr.FieldError{Path: joinPointer(base, p), Message: "unknown field"})
		}
	default:
		*out = append(*out, apierr.FieldError{Path: base, Message: kindMessage(e.ErrorKind)})
	}
}

// isAlternative reports kinds whose causes are options, not separate problems: the
// error is the kind itself ("must match one of …").
func isAlternative(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.AnyOf, *kind.OneOf:
		return true
	}
	return false
}

func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s, not %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.AnyOf:
		return "does not match any of the allowed forms"
	case *kind.OneOf:
		if len(k.Subschemas) > 1 {
			return "matches more than one of the allowed forms"
		}
		return "does not match exactly one of the allowed forms"
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d item(s), has %d", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d item(s), has %d", k.Want, k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d character(s) long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d character(s) long", k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("must match the pattern %s", k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s", k.Want.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s", k.Want.RatString())
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("must be greater than %s", k.Want.RatString())
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("must be less than %s", k.Want.RatString())
	case *kind.FalseSchema:
		return "is not allowed"
	}
	return k.LocalizedString(english)
}
