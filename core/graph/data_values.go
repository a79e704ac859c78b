package graph

import (
	"math"
	"reflect"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// graphql-go's reading of arguments and variables, and its test of null, as the data
// API's executor needs them to hand resolvers the values graphql-go would (its own
// functions are unexported). TestDataExecutorMatchesGraphQL holds them to it.

// isNullish is graphql-go's test of a value that completes to null: nil, a nil
// pointer, NaN.
func isNullish(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Ptr {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.IsNaN(rv.Float())
	}
	return false
}

// argumentValues are a field's arguments as graphql-go's executor gives them to its
// resolver.
func argumentValues(defs []*graphql.Argument, asts []*ast.Argument, vars map[string]any) map[string]any {
	out := make(map[string]any, len(defs))
	for _, d := range defs {
		var value ast.Value
		for _, a := range asts {
			if a.Name != nil && a.Name.Value == d.PrivateName {
				value = a.Value
			}
		}
		v := valueFromAST(value, d.Type, vars)
		if isNullish(v) {
			v = d.DefaultValue
		}
		if !isNullish(v) {
			out[d.PrivateName] = v
		}
	}
	return out
}

// valueFromAST is graphql-go's reading of a literal or variable as an input type.
func valueFromAST(v ast.Value, t graphql.Input, vars map[string]any) any {
	if v == nil {
		return nil
	}
	if vr, ok := v.(*ast.Variable); ok {
		if vr.Name == nil || vars == nil {
			return nil
		}
		return vars[vr.Name.Value]
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return valueFromAST(v, t.OfType, vars)
	case *graphql.List:
		values := []any{}
		if lv, ok := v.(*ast.ListValue); ok {
			for _, item := range lv.Values {
				values = append(values, valueFromAST(item, t.OfType, vars))
			}
			return values
		}
		return append(values, valueFromAST(v, t.OfType, vars))
	case *graphql.InputObject:
		ov, ok := v.(*ast.ObjectValue)
		if !ok {
			return nil
		}
		given := map[string]*ast.ObjectField{}
		for _, f := range ov.Fields {
			if f != nil && f.Name != nil {
				given[f.Name.Value] = f
			}
		}
		obj := map[string]any{}
		for name, field := range t.Fields() {
			var value any
			if f, ok := given[name]; ok {
				value = valueFromAST(f.Value, field.Type, vars)
			} else {
				value = field.DefaultValue
			}
			if !isNullish(value) {
				obj[name] = value
			}
		}
		return obj
	case *graphql.Scalar:
		return t.ParseLiteral(v)
	case *graphql.Enum:
		return t.ParseLiteral(v)
	}
	return nil
}

// variableValues coerces the request's variables as graphql-go does; ok is false
// for a value graphql-go would refuse (its error is the one to answer) or a type
// this reading does not know.
func variableValues(schema *graphql.Schema, defs []*ast.VariableDefinition, inputs map[string]any) (map[string]any, bool) {
	out := make(map[string]any, len(defs))
	for _, d := range defs {
		t, ok := inputTypeOf(schema, d.Type)
		if !ok {
			return nil, false
		}
		in := inputs[d.Variable.Name.Value]
		if !validInput(in, t) {
			return nil, false
		}
		if isNullish(in) && d.DefaultValue != nil {
			out[d.Variable.Name.Value] = valueFromAST(d.DefaultValue, t, nil)
			continue
		}
		out[d.Variable.Name.Value] = coerceValue(t, in)
	}
	return out, true
}

func inputTypeOf(schema *graphql.Schema, t ast.Type) (graphql.Input, bool) {
	switch t := t.(type) {
	case *ast.List:
		in, ok := inputTypeOf(schema, t.Type)
		if !ok {
			return nil, false
		}
		return graphql.NewList(in), true
	case *ast.NonNull:
		in, ok := inputTypeOf(schema, t.Type)
		if !ok {
			return nil, false
		}
		return graphql.NewNonNull(in), true
	case *ast.Named:
		if t.Name == nil {
			return nil, false
		}
		switch in := schema.Type(t.Name.Value).(type) {
		case *graphql.Scalar, *graphql.Enum, *graphql.InputObject:
			return in.(graphql.Input), true
		}
	}
	return nil, false
}

// validInput is graphql-go's isValidInputValue, without its messages: values from
// decoded JSON only (maps, slices, strings, numbers, booleans, nil).
func validInput(v any, t graphql.Input) bool {
	if isNullish(v) {
		_, nonNull := t.(*graphql.NonNull)
		return !nonNull
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return validInput(v, t.OfType)
	case *graphql.List:
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if !validInput(x, t.OfType) {
					return false
				}
			}
			return true
		}
		if reflect.ValueOf(v).Kind() == reflect.Slice {
			return false // not from JSON: let graphql-go judge
		}
		return validInput(v, t.OfType)
	case *graphql.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		fields := t.Fields()
		for name := range m {
			if _, ok := fields[name]; !ok {
				return false
			}
		}
		for name, f := range fields {
			if !validInput(m[name], f.Type) {
				return false
			}
		}
		return true
	case *graphql.Scalar:
		return !isNullish(t.ParseValue(v))
	case *graphql.Enum:
		return !isNullish(t.ParseValue(v))
	}
	return false
}

// coerceValue is graphql-go's coercion of a valid variable value to its type.
func coerceValue(t graphql.Input, v any) any {
	if isNullish(v) {
		return nil
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return coerceValue(t.OfType, v)
	case *graphql.List:
		values := []any{}
		if list, ok := v.([]any); ok {
			for _, x := range list {
				values = append(values, coerceValue(t.OfType, x))
			}
			return values
		}
		return append(values, coerceValue(t.OfType, v))
	case *graphql.InputObject:
		obj := map[string]any{}
		m, _ := v.(map[string]any)
		for name, f := range t.Fields() {
			fv := coerceValue(f.Type, m[name])
			if isNullish(fv) {
				fv = f.DefaultValue
			}
			if !isNullish(fv) {
				obj[name] = fv
			}
		}
		return obj
	case *graphql.Scalar:
		if parsed := t.ParseValue(v); !isNullish(parsed) {
			return parsed
		}
	case *graphql.Enum:
		if parsed := t.ParseValue(v); !isNullish(parsed) {
			return parsed
		}
	}
	return nil
}
