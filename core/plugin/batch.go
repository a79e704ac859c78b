package plugin

import (
	"context"
	"reflect"
	"strconv"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/sdk/host"
)

// batch is the fields one namespace object of a query asks of its plugin: they are
// resolved in one call, made when the first of them is resolved, and each field's
// resolver takes its own answer (ADR 28).
type batch struct {
	keys   map[string]int // response key (alias or name) → index in fields
	fields []host.Field

	once    sync.Once
	answers []host.Answer
	err     error
}

// planBatch lists the plugin fields selected under the namespace field (through
// fragments, minus those @skip or @include leave out) with their arguments. A field
// whose arguments it cannot read is left out: its resolver calls on its own.
func planBatch(p graphql.ResolveParams, query *graphql.Object) *batch {
	b := &batch{keys: map[string]int{}}
	defs := query.Fields()
	var walk func(sel *ast.SelectionSet)
	walk = func(sel *ast.SelectionSet) {
		if sel == nil {
			return
		}
		for _, s := range sel.Selections {
			switch s := s.(type) {
			case *ast.Field:
				if !included(s.Directives, p.Info.VariableValues) {
					continue
				}
				def := defs[s.Name.Value]
				if def == nil {
					continue // __typename
				}
				key := s.Name.Value
				if s.Alias != nil {
					key = s.Alias.Value
				}
				if _, seen := b.keys[key]; seen {
					continue // the same field selected twice is merged
				}
				args, ok := argValues(def.Args, s.Arguments, p.Info.VariableValues)
				if !ok {
					continue
				}
				b.keys[key] = len(b.fields)
				b.fields = append(b.fields, host.Field{Name: s.Name.Value, Args: args})
			case *ast.InlineFragment:
				if included(s.Directives, p.Info.VariableValues) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if f, ok := p.Info.Fragments[s.Name.Value].(*ast.FragmentDefinition); ok && included(s.Directives, p.Info.VariableValues) {
					walk(f.SelectionSet)
				}
			}
		}
	}
	for _, f := range p.Info.FieldASTs {
		walk(f.SelectionSet)
	}
	return b
}

// answer returns field key's answer when the batch holds key with args, calling the
// plugin for the whole batch the first time; ok is false when it does not hold it.
func (b *batch) answer(key string, args map[string]any, call func(fields []host.Field) ([]host.Answer, error)) (a host.Answer, ok bool, err error) {
	i, found := b.keys[key]
	if !found || !sameArgs(b.fields[i].Args, args) {
		return host.Answer{}, false, nil
	}
	b.once.Do(func() { b.answers, b.err = call(b.fields) })
	if b.err != nil {
		return host.Answer{}, true, b.err
	}
	return b.answers[i], true, nil
}

// sameArgs compares the arguments planBatch read with those the executor coerced.
func sameArgs(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// included applies @skip and @include.
func included(dirs []*ast.Directive, vars map[string]any) bool {
	for _, d := range dirs {
		var cond bool
		for _, a := range d.Arguments {
			if a.Name.Value != "if" {
				continue
			}
			switch v := a.Value.(type) {
			case *ast.BooleanValue:
				cond = v.Value
			case *ast.Variable:
				cond, _ = vars[v.Name.Value].(bool)
			}
		}
		switch d.Name.Value {
		case "skip":
			if cond {
				return false
			}
		case "include":
			if !cond {
				return false
			}
		}
	}
	return true
}

// argValues reads a plugin field's arguments (scalars, the plugin's enums and lists
// of them: ADR 23) as graphql-go coerces them; ok is false for anything else.
func argValues(defs []*graphql.Argument, written []*ast.Argument, vars map[string]any) (map[string]any, bool) {
	out := map[string]any{}
	for _, a := range written {
		var def *graphql.Argument
		for _, d := range defs {
			if d.PrivateName == a.Name.Value {
				def = d
			}
		}
		if def == nil {
			return nil, false
		}
		v, ok := literal(def.Type, a.Value, vars)
		if !ok {
			return nil, false
		}
		if v != nil {
			out[a.Name.Value] = v
		}
	}
	return out, true
}

func literal(t graphql.Input, v ast.Value, vars map[string]any) (any, bool) {
	if nn, ok := t.(*graphql.NonNull); ok {
		t = nn.OfType
	}
	if vr, ok := v.(*ast.Variable); ok {
		return vars[vr.Name.Value], true
	}
	switch t := t.(type) {
	case *graphql.List:
		if l, ok := v.(*ast.ListValue); ok {
			items := make([]any, len(l.Values))
			for i, it := range l.Values {
				x, ok := literal(t.OfType, it, vars)
				if !ok {
					return nil, false
				}
				items[i] = x
			}
			return items, true
		}
		x, ok := literal(t.OfType, v, vars)
		if !ok {
			return nil, false
		}
		return []any{x}, true
	case *graphql.Enum:
		if e, ok := v.(*ast.EnumValue); ok {
			return e.Value, true
		}
	case *graphql.Scalar:
		switch t {
		case graphql.Int:
			if n, ok := v.(*ast.IntValue); ok {
				i, err := strconv.ParseInt(n.Value, 10, 32)
				return int(i), err == nil
			}
		case graphql.Float:
			switch n := v.(type) {
			case *ast.FloatValue:
				f, err := strconv.ParseFloat(n.Value, 64)
				return f, err == nil
			case *ast.IntValue:
				f, err := strconv.ParseFloat(n.Value, 64)
				return f, err == nil
			}
		case graphql.String:
			if s, ok := v.(*ast.StringValue); ok {
				return s.Value, true
			}
		case graphql.Boolean:
			if b, ok := v.(*ast.BooleanValue); ok {
				return b.Value, true
			}
		case graphql.ID:
			switch s := v.(type) {
			case *ast.StringValue:
				return s.Value, true
			case *ast.IntValue:
				return s.Value, true
			}
		}
	}
	return nil, false
}

// resolveBatch is the plugin call for a batch, within the plugin's timeout and
// concurrency limit.
func (r *runner) resolveBatch(ctx context.Context, call host.Call, fields []host.Field) ([]host.Answer, error) {
	var out []host.Answer
	err := r.call(ctx, "resolve", func(ctx context.Context, p *host.Process) (err error) {
		out, err = p.ResolveFields(ctx, call, fields)
		return err
	})
	return out, err
}
