package plugin

import (
	"context"
	"reflect"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/graph"
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
// fragments, minus those @skip or @include leave out) with their arguments, coerced
// as the executor coerces them (graph.ArgumentValues).
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
				b.keys[key] = len(b.fields)
				b.fields = append(b.fields, host.Field{Name: s.Name.Value, Args: graph.ArgumentValues(def.Args, s.Arguments, p.Info.VariableValues)})
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
