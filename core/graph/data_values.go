package graph

import (
	"math"
	"reflect"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// Input coercion for the data API's own executor: the request's variables
// (CoerceVariableValues, GraphQL spec October 2021 §6.4.1) and each field's
// arguments (CoerceArgumentValues, §6.4.1), with the input coercion rules of
// scalars (§3.5), enums (§3.9), input objects (§3.10), lists (§3.11) and non-null
// types (§3.12), written from the spec.
//
// The executor must hand resolvers exactly the argument maps graphql-go's executor
// would and refuse exactly the variables it refuses, so where the spec and
// graphql-go's observable behaviour differ, graphql-go's wins; each such place says
// so with "graphql-go:". TestDataExecutorMatchesGraphQL and FuzzDataPlan hold this
// file to that behaviour; TestInputCoercion pins it down case by case.
//
// The main difference throughout: graphql-go does not tell an explicit null from a
// value that was not given. Both are "no value": a default takes its place where
// there is one, and otherwise the entry is left out of the map. (Its parser, as of
// v0.8.1, has no null literal either: null only comes in a variable's value.)

// treatedAsNull reports whether v stands for null: nil, a nil pointer, or a NaN
// float (graphql-go completes NaN to null and reads it as no value).
func treatedAsNull(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	if k := rv.Kind(); k == reflect.Float32 || k == reflect.Float64 {
		return math.IsNaN(rv.Float())
	}
	return false
}

// argumentValues is CoerceArgumentValues: the arguments a field's resolver gets,
// from the definitions defs, the arguments written in the query and the coerced
// variables.
//
// graphql-go: an argument given a variable with no value (absent or null) gets the
// argument's default like an absent one; an argument with neither a value nor a
// default is left out (never present as nil). A non-null argument without a value
// is not an error here: validation has refused such a query before execution.
func argumentValues(defs []*graphql.Argument, written []*ast.Argument, vars map[string]any) map[string]any {
	args := make(map[string]any, len(defs))
	for _, def := range defs {
		value := coerceLiteral(def.Type, writtenArgument(written, def.PrivateName), vars)
		if treatedAsNull(value) {
			value = def.DefaultValue
		}
		if !treatedAsNull(value) {
			args[def.PrivateName] = value
		}
	}
	return args
}

// ArgumentValues is argumentValues for code outside this package that must read a
// field's arguments as graphql-go's executor will give them to its resolver (the
// plugins' batches).
func ArgumentValues(defs []*graphql.Argument, written []*ast.Argument, vars map[string]any) map[string]any {
	return argumentValues(defs, written, vars)
}

// writtenArgument is the literal given for the argument name, nil when none is; of
// several with one name (which validation refuses) the last counts.
func writtenArgument(written []*ast.Argument, name string) ast.Value {
	for i := len(written) - 1; i >= 0; i-- {
		if a := written[i]; a.Name != nil && a.Name.Value == name {
			return a.Value
		}
	}
	return nil
}

// coerceLiteral is the input coercion of a literal (or a variable in its place) to
// the input type t; nil stands for null or no value.
//
// A variable stands for its coerced value as it is, whatever t is: the variable's
// own type was checked against its uses by validation, and its value was coerced
// by variableValues.
func coerceLiteral(t graphql.Input, lit ast.Value, vars map[string]any) any {
	if lit == nil {
		return nil
	}
	if v, ok := lit.(*ast.Variable); ok {
		if v.Name == nil {
			return nil
		}
		return vars[v.Name.Value]
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		// §3.12: a literal of a non-null type is one of its inner type (there is
		// no null literal to refuse, and validation checks variables' types).
		return coerceLiteral(t.OfType, lit, vars)
	case *graphql.List:
		return coerceListLiteral(t.OfType, lit, vars)
	case *graphql.InputObject:
		return coerceObjectLiteral(t, lit, vars)
	case *graphql.Scalar:
		// §3.5: the scalar decides what its literals mean.
		return t.ParseLiteral(lit)
	case *graphql.Enum:
		// §3.9: only an enum value naming one of the enum's values.
		return t.ParseLiteral(lit)
	}
	return nil
}

// coerceListLiteral is §3.11 for a literal: a list literal's items are each coerced
// to the item type, and any other literal is a list of that one item.
//
// graphql-go: an item that coerces to nothing (a variable without a value) stays in
// the list as nil.
func coerceListLiteral(item graphql.Input, lit ast.Value, vars map[string]any) []any {
	list, ok := lit.(*ast.ListValue)
	if !ok {
		return []any{coerceLiteral(item, lit, vars)}
	}
	out := make([]any, 0, len(list.Values))
	for _, v := range list.Values {
		out = append(out, coerceLiteral(item, v, vars))
	}
	return out
}

// coerceObjectLiteral is §3.10 for a literal: an object literal gives each field of
// the input object its value, a field not written gets its default, and a field
// with neither is left out. A literal that is not an object is no value.
//
// graphql-go: a field given a variable without a value is left out, and does NOT
// get its default (unlike the same field in a variable's value,
// see coerceObjectValue). Fields the type does not have are not looked at:
// validation refuses them.
func coerceObjectLiteral(t *graphql.InputObject, lit ast.Value, vars map[string]any) map[string]any {
	obj, ok := lit.(*ast.ObjectValue)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for name, field := range t.Fields() {
		value := field.DefaultValue
		if written, ok := writtenField(obj, name); ok {
			value = coerceLiteral(field.Type, written, vars)
		}
		if !treatedAsNull(value) {
			out[name] = value
		}
	}
	return out
}

// writtenField is the literal of the object literal's field name, and whether the
// field is written; of several with one name the last counts.
func writtenField(obj *ast.ObjectValue, name string) (ast.Value, bool) {
	for i := len(obj.Fields) - 1; i >= 0; i-- {
		if f := obj.Fields[i]; f != nil && f.Name != nil && f.Name.Value == name {
			return f.Value, true
		}
	}
	return nil, false
}

// variableValues is CoerceVariableValues: the operation's variables coerced from the
// request's inputs (decoded JSON). ok is false when graphql-go would refuse them, so
// that the caller falls back to graphql-go and answers with its error, and also
// when a variable's type is not an input type this schema knows.
//
// graphql-go: a variable given as null gets its default like one not given; and
// one of a non-null type must be given a value even where it has a default.
func variableValues(schema *graphql.Schema, defs []*ast.VariableDefinition, inputs map[string]any) (map[string]any, bool) {
	vars := make(map[string]any, len(defs))
	for _, def := range defs {
		if def.Variable == nil || def.Variable.Name == nil {
			return nil, false
		}
		name := def.Variable.Name.Value
		t, ok := declaredInputType(schema, def.Type)
		if !ok {
			return nil, false
		}
		given := inputs[name]
		value, ok := coerceValue(t, given)
		if !ok {
			return nil, false
		}
		if treatedAsNull(given) && def.DefaultValue != nil {
			// The default is a constant literal: it has no variables to read.
			value = coerceLiteral(t, def.DefaultValue, nil)
		}
		vars[name] = value
	}
	return vars, true
}

// declaredInputType is the schema's input type written as a variable's type.
func declaredInputType(schema *graphql.Schema, written ast.Type) (graphql.Input, bool) {
	switch written := written.(type) {
	case *ast.NonNull:
		if inner, ok := declaredInputType(schema, written.Type); ok {
			return graphql.NewNonNull(inner), true
		}
	case *ast.List:
		if inner, ok := declaredInputType(schema, written.Type); ok {
			return graphql.NewList(inner), true
		}
	case *ast.Named:
		if written.Name == nil {
			return nil, false
		}
		switch named := schema.Type(written.Name.Value).(type) {
		case *graphql.Scalar:
			return named, true
		case *graphql.Enum:
			return named, true
		case *graphql.InputObject:
			return named, true
		}
	}
	return nil, false
}

// coerceValue is the input coercion of a variable's value v (decoded JSON) to the
// input type t: the coerced value, and whether v is one t accepts. Null is accepted
// by every type but a non-null one, and coerces to nil.
func coerceValue(t graphql.Input, v any) (any, bool) {
	if treatedAsNull(v) {
		_, nonNull := t.(*graphql.NonNull)
		return nil, !nonNull
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return coerceValue(t.OfType, v)
	case *graphql.List:
		return coerceListValue(t.OfType, v)
	case *graphql.InputObject:
		return coerceObjectValue(t, v)
	case *graphql.Scalar:
		// §3.5. graphql-go: a scalar refuses a value by parsing it to null, and its
		// built-in ones are laxer than the spec's: Int takes 3.5 as 3 and "3" as 3.
		parsed := t.ParseValue(v)
		return parsed, !treatedAsNull(parsed)
	case *graphql.Enum:
		// §3.9: the name of one of the enum's values.
		parsed := t.ParseValue(v)
		return parsed, !treatedAsNull(parsed)
	}
	return nil, false
}

// coerceListValue is §3.11 for a variable's value: a JSON array's items are each
// coerced to the item type (null items stay nil where the item type allows null),
// and any other value is a list of that one item.
func coerceListValue(item graphql.Input, v any) (any, bool) {
	items, isArray := v.([]any)
	if !isArray {
		if reflect.ValueOf(v).Kind() == reflect.Slice {
			// Not from decoded JSON: leave the judgement to graphql-go.
			return nil, false
		}
		items = []any{v}
	}
	out := make([]any, 0, len(items))
	for _, x := range items {
		c, ok := coerceValue(item, x)
		if !ok {
			return nil, false
		}
		out = append(out, c)
	}
	return out, true
}

// coerceObjectValue is §3.10 for a variable's value: a JSON object with no key the
// input object lacks, every field coerced to its type, a field without a value
// given its default, and a field with neither left out.
//
// graphql-go: a field given as null also gets its default (unlike in a literal),
// and a field of a non-null type must be given a value even where it has a default.
func coerceObjectValue(t *graphql.InputObject, v any) (any, bool) {
	given, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	fields := t.Fields()
	for key := range given {
		if _, known := fields[key]; !known {
			return nil, false
		}
	}
	out := map[string]any{}
	for name, field := range fields {
		value, ok := coerceValue(field.Type, given[name])
		if !ok {
			return nil, false
		}
		if treatedAsNull(value) {
			value = field.DefaultValue
		}
		if !treatedAsNull(value) {
			out[name] = value
		}
	}
	return out, true
}
