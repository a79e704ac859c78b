package resource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/schemas"
)

// fakeTenants is a tenant tree given as child → parent.
type fakeTenants map[string]string

func (f fakeTenants) LineageCodes(code string) ([]string, bool) {
	if _, ok := f[code]; !ok {
		return nil, false
	}
	var l []string
	for c := code; c != ""; c = f[c] {
		l = append(l, c)
	}
	slices.Reverse(l)
	return l, true
}

func (f fakeTenants) IsWithin(code, ancestor string) bool {
	l, ok := f.LineageCodes(code)
	return ok && slices.Contains(l, ancestor)
}

// tree: province 230000 → cities 230100, 230200 → districts 230102, 230103 →
// township 230102001.
var tree = fakeTenants{
	"230000":    "",
	"230100":    "230000",
	"230200":    "230000",
	"230102":    "230100",
	"230103":    "230100",
	"230102001": "230102",
}

const itemSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "code": {"type": "string", "pattern": "^[0-9]+$"},
    "type": {"enum": ["licence", "permit"]},
    "enabled": {"type": "boolean"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "limits": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "days": {"type": "integer", "minimum": 1},
        "fee": {"type": "number"}
      }
    },
    "fields": {"type": "object"}
  }
}`

func newService(t testing.TB, st *store.Store) *Service {
	t.Helper()
	s := New(st, tree)
	must(t, s.RegisterKind(Kind{Name: "Item", Schema: []byte(itemSchema), Inheritable: true}))
	for _, name := range []string{"Role", "RoleBinding", "Module"} {
		raw, err := schemas.FS.ReadFile("kinds/" + name + ".json")
		must(t, err)
		must(t, s.RegisterKind(Kind{Name: name, Schema: raw, Inheritable: name == "Module"}))
	}
	return s
}

func item(tenant, name string, spec map[string]any, locks ...string) Object {
	return Object{
		APIVersion: DefaultAPIVersion, Kind: "Item",
		Metadata: Metadata{Tenant: tenant, Name: name},
		Spec:     spec, Locks: locks,
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func apply(t testing.TB, s *Service, objs ...Object) []ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), "tester", objs, ApplyOptions{})
	must(t, err)
	return res
}

func wantCode(t testing.TB, err error, code apierr.Code) *apierr.Error {
	t.Helper()
	if err == nil || apierr.CodeOf(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	e, _ := apierr.As(err)
	return e
}

func paths(e *apierr.Error) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path)
	}
	return out
}

var errRefused = errors.New("refused")

func fmtValue(v any) string { return fmt.Sprint(v) }
