package plugin

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/location"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"

	"github.com/gdbos/gdbos/core/apierr"
)

// schemaPart is a plugin's GraphQL: the Query object of its namespace and the types
// it declared, built once per catalog version and shared by every tenant's schema.
type schemaPart struct {
	query *graphql.Object
}

// sdlPath is where SDL errors point in the Plugin resource.
const sdlPath = "/spec/graphql/sdl"

var builtinScalars = map[string]*graphql.Scalar{
	"String": graphql.String, "Int": graphql.Int, "Float": graphql.Float, "Boolean": graphql.Boolean, "ID": graphql.ID,
}

// buildSchemaPart parses a plugin's SDL and builds its types. It reports every
// problem with its line. resolve gives each Query field its resolver; nil builds the
// types only (admission).
func buildSchemaPart(id string, g *GraphQLSpec, resolve func(field string, out graphql.Output) graphql.FieldResolveFn) (*schemaPart, apierr.FieldList) {
	var l apierr.FieldList
	src := source.NewSource(&source.Source{Body: []byte(g.SDL), Name: id})
	doc, err := parser.Parse(parser.ParseParams{Source: src, Options: parser.ParseOptions{NoSource: true}})
	if err != nil {
		l.Add(sdlPath, "does not parse: %v", err)
		return nil, l
	}
	at := func(loc *ast.Location) string {
		if loc == nil {
			return sdlPath
		}
		p := location.GetLocation(src, loc.Start)
		return fmt.Sprintf("%s (line %d)", sdlPath, p.Line)
	}
	prefix := TypePrefix(id)
	queryName := prefix + "Query"
	objects := map[string]*ast.ObjectDefinition{}
	enums := map[string]*graphql.Enum{}
	var order []string
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.ObjectDefinition:
			name := d.Name.Value
			if !strings.HasPrefix(name, prefix) || name == prefix {
				l.Add(at(d.Loc), "type %s must be named %s… (the plugin's namespace)", name, prefix)
			}
			if objects[name] != nil || enums[name] != nil {
				l.Add(at(d.Loc), "type %s is declared twice", name)
			}
			if len(d.Interfaces) > 0 {
				l.Add(at(d.Loc), "type %s: interfaces are not supported", name)
			}
			objects[name] = d
			order = append(order, name)
		case *ast.EnumDefinition:
			name := d.Name.Value
			if !strings.HasPrefix(name, prefix) || name == prefix {
				l.Add(at(d.Loc), "enum %s must be named %s… (the plugin's namespace)", name, prefix)
			}
			if objects[name] != nil || enums[name] != nil {
				l.Add(at(d.Loc), "type %s is declared twice", name)
			}
			values := graphql.EnumValueConfigMap{}
			for _, v := range d.Values {
				values[v.Name.Value] = &graphql.EnumValueConfig{Value: v.Name.Value}
			}
			enums[name] = graphql.NewEnum(graphql.EnumConfig{Name: name, Values: values})
		default:
			l.Add(at(d.GetLoc()), "only object types and enums may be declared (found %s)", d.GetKind())
		}
	}
	query := objects[queryName]
	if query == nil {
		l.Add(sdlPath, "declares no type %s: the fields of the plugin's namespace", queryName)
		return nil, l
	}
	built := map[string]*graphql.Object{}
	var typeOf func(t ast.Type, input bool, where string) graphql.Type
	typeOf = func(t ast.Type, input bool, where string) graphql.Type {
		switch t := t.(type) {
		case *ast.NonNull:
			inner := typeOf(t.Type, input, where)
			if inner == nil {
				return nil
			}
			return graphql.NewNonNull(inner)
		case *ast.List:
			inner := typeOf(t.Type, input, where)
			if inner == nil {
				return nil
			}
			return graphql.NewList(inner)
		case *ast.Named:
			n := t.Name.Value
			if s, ok := builtinScalars[n]; ok {
				return s
			}
			if e, ok := enums[n]; ok {
				return e
			}
			if _, ok := objects[n]; ok && !input {
				return built[n]
			}
			if input {
				l.Add(where, "argument type %s must be a scalar or one of the plugin's enums", n)
			} else {
				l.Add(where, "unknown type %s", n)
			}
		}
		return nil
	}
	// Objects are created first with thunks, so they may refer to each other.
	for _, name := range order {
		def := objects[name]
		isQuery := name == queryName
		built[name] = graphql.NewObject(graphql.ObjectConfig{Name: name, Fields: graphql.FieldsThunk(func() graphql.Fields {
			fields := graphql.Fields{}
			for _, f := range def.Fields {
				out, _ := typeOf(f.Type, false, "").(graphql.Output)
				field := &graphql.Field{Type: out, Args: graphql.FieldConfigArgument{}}
				for _, a := range f.Arguments {
					in, _ := typeOf(a.Type, true, "").(graphql.Input)
					field.Args[a.Name.Value] = &graphql.ArgumentConfig{Type: in}
				}
				if isQuery && resolve != nil {
					field.Resolve = resolve(f.Name.Value, out)
				}
				fields[f.Name.Value] = field
			}
			return fields
		})})
	}
	// Check every reference now (the thunks above run when a schema is built).
	resolvers := slices.Clone(g.Resolvers)
	for _, name := range order {
		def := objects[name]
		for _, f := range def.Fields {
			where := at(f.Loc)
			typeOf(f.Type, false, where)
			for _, a := range f.Arguments {
				typeOf(a.Type, true, where)
				if name != queryName {
					l.Add(where, "%s.%s: only fields of %s take arguments (they are resolved by the plugin; the others are read from its answer)", name, f.Name.Value, queryName)
				}
			}
			if name == queryName && !slices.Contains(resolvers, f.Name.Value) {
				l.Add(where, "%s.%s has no resolver", name, f.Name.Value)
			}
		}
	}
	for _, r := range resolvers {
		if !slices.ContainsFunc(query.Fields, func(f *ast.FieldDefinition) bool { return f.Name.Value == r }) {
			l.Add("/spec/graphql/resolvers", "resolver %s answers no field of %s", r, queryName)
		}
	}
	if len(l) > 0 {
		return nil, l
	}
	return &schemaPart{query: built[queryName]}, nil
}

// conform checks that a plugin's answer, decoded by encoding/json, fits a GraphQL output type; path
// names the first place it does not.
func conform(t graphql.Type, v any, path string) error {
	if nn, ok := t.(*graphql.NonNull); ok {
		if v == nil {
			return fmt.Errorf("%s: null where %s is required", path, t)
		}
		return conform(nn.OfType, v, path)
	}
	if v == nil {
		return nil
	}
	switch t := t.(type) {
	case *graphql.List:
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %s where a list is expected", path, jsonKind(v))
		}
		for i, it := range items {
			if err := conform(t.OfType, it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case *graphql.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s where object %s is expected", path, jsonKind(v), t.Name())
		}
		fields := t.Fields()
		for k := range m {
			if _, ok := fields[k]; !ok {
				return fmt.Errorf("%s.%s: %s has no field %s", path, k, t.Name(), k)
			}
		}
		for name, f := range fields {
			if err := conform(f.Type, m[name], path+"."+name); err != nil {
				return err
			}
		}
	case *graphql.Enum:
		s, ok := v.(string)
		if !ok || !slices.ContainsFunc(t.Values(), func(ev *graphql.EnumValueDefinition) bool { return ev.Name == s }) {
			return fmt.Errorf("%s: %v is not a value of enum %s", path, v, t.Name())
		}
	case *graphql.Scalar:
		return conformScalar(t, v, path)
	}
	return nil
}

func conformScalar(t *graphql.Scalar, v any, path string) error {
	ok := true
	switch t {
	case graphql.String:
		_, ok = v.(string)
	case graphql.Boolean:
		_, ok = v.(bool)
	case graphql.Float:
		_, ok = v.(float64)
	case graphql.Int:
		// A 32-bit integer is exact in a float64, as encoding/json decodes numbers.
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32
	case graphql.ID:
		switch v.(type) {
		case string, float64:
		default:
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("%s: %s %v where %s is expected", path, jsonKind(v), v, t.Name())
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
