package kernel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/graph"
)

// queryGen writes random read queries against a tenant's data schema, as its
// introspection describes it: random fields, aliases, fragments, relations in both
// directions, filters, orders and pages, literals and variables.
type queryGen struct {
	rng   *rand.Rand
	types map[string]*genType
	roots []genField
	ids   map[string][]string
	// aggregates are the Query's aggregate fields: name, result type, groupBy values.
	aggregates []genAggregate
	objects    map[string][]genField // every object type's fields
	vars       map[string]any
	defs       []string
	frags      []string
	nfrag      int
	aliases    int
}

type genAggregate struct {
	field, entity string
	groupBy       []string
}

type genType struct {
	name   string
	fields []genField
	enum   []string // the TypeField values for orderBy, on entity types
}

type genField struct {
	name   string
	scalar string // String, Int, Float, Boolean, ID for leaves
	target string // the entity type of a relation, get or list
	many   bool   // a connection
}

func newQueryGen(t testing.TB, fx *execFixture, rng *rand.Rand) *queryGen {
	t.Helper()
	const q = `{__schema{queryType{name} types{name kind enumValues{name} fields{name args{name} type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}}}}}`
	body, _, err := fx.s.K.Graph().DataAnswer(context.Background(), fx.callers["admin"], "230000", graph.Request{Query: q}, true)
	if err != nil {
		t.Fatal(err)
	}
	type typeRef struct {
		Kind   string   `json:"kind"`
		Name   string   `json:"name"`
		OfType *typeRef `json:"ofType"`
	}
	var res struct {
		Data struct {
			Schema struct {
				QueryType struct{ Name string } `json:"queryType"`
				Types     []struct {
					Name       string                  `json:"name"`
					Kind       string                  `json:"kind"`
					EnumValues []struct{ Name string } `json:"enumValues"`
					Fields     []struct {
						Name string                  `json:"name"`
						Args []struct{ Name string } `json:"args"`
						Type typeRef                 `json:"type"`
					} `json:"fields"`
				} `json:"types"`
			} `json:"__schema"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("introspection: %v: %s", err, body)
	}
	objects := map[string]bool{}
	enums := map[string][]string{}
	for _, ty := range res.Data.Schema.Types {
		if ty.Kind == "OBJECT" {
			objects[ty.Name] = true
		}
		if ty.Kind == "ENUM" {
			for _, v := range ty.EnumValues {
				enums[ty.Name] = append(enums[ty.Name], v.Name)
			}
		}
	}
	isEntity := func(name string) bool { return objects[name] && objects[name+"Connection"] }
	g := &queryGen{rng: rng, types: map[string]*genType{}, ids: fx.ids, objects: map[string][]genField{}}
	named := func(r typeRef) (string, string, bool) {
		nonNull := r.Kind == "NON_NULL"
		for r.OfType != nil {
			r = *r.OfType
		}
		_ = nonNull
		return r.Kind, r.Name, nonNull
	}
	for _, ty := range res.Data.Schema.Types {
		if ty.Kind != "OBJECT" {
			continue
		}
		for _, f := range ty.Fields {
			kind, name, _ := named(f.Type)
			if kind == "SCALAR" {
				g.objects[ty.Name] = append(g.objects[ty.Name], genField{name: f.Name, scalar: name})
			} else if kind == "OBJECT" {
				g.objects[ty.Name] = append(g.objects[ty.Name], genField{name: f.Name, target: name})
			}
			if ty.Name == res.Data.Schema.QueryType.Name && strings.HasSuffix(name, "Aggregate") {
				ent := strings.TrimSuffix(name, "Aggregate")
				g.aggregates = append(g.aggregates, genAggregate{field: f.Name, entity: ent, groupBy: enums[ent+"GroupField"]})
			}
		}
	}
	for _, ty := range res.Data.Schema.Types {
		if ty.Kind != "OBJECT" || (!isEntity(ty.Name) && ty.Name != res.Data.Schema.QueryType.Name) {
			continue
		}
		gt := &genType{name: ty.Name, enum: enums[ty.Name+"Field"]}
		for _, f := range ty.Fields {
			kind, name, _ := named(f.Type)
			switch {
			case kind == "SCALAR":
				gt.fields = append(gt.fields, genField{name: f.Name, scalar: name})
			case isEntity(name):
				gt.fields = append(gt.fields, genField{name: f.Name, target: name})
			case strings.HasSuffix(name, "Connection") && isEntity(strings.TrimSuffix(name, "Connection")):
				gt.fields = append(gt.fields, genField{name: f.Name, target: strings.TrimSuffix(name, "Connection"), many: true})
			}
		}
		if ty.Name == res.Data.Schema.QueryType.Name {
			for _, f := range gt.fields {
				if f.target != "" {
					g.roots = append(g.roots, f)
				}
			}
			continue
		}
		g.types[ty.Name] = gt
	}
	if len(g.roots) == 0 || len(g.types) == 0 {
		t.Fatalf("introspection found no entities: %s", body)
	}
	return g
}

func (g *queryGen) chance(n int) bool { return g.rng.IntN(n) == 0 }

// query is one random read and its variables.
func (g *queryGen) query() (string, map[string]any) {
	g.vars, g.defs, g.frags, g.nfrag, g.aliases = map[string]any{}, nil, nil, 0, 0
	var b strings.Builder
	used := map[string]bool{}
	for range 1 + g.rng.IntN(2) {
		f := g.roots[g.rng.IntN(len(g.roots))]
		for !f.many && !g.chance(4) { // lists more often than single records
			f = g.roots[g.rng.IntN(len(g.roots))]
		}
		g.field(&b, f, 0, used)
		b.WriteByte(' ')
	}
	if g.chance(5) && len(g.aggregates) > 0 {
		g.aggregate(&b)
	}
	if g.chance(8) {
		b.WriteString("__typename ")
	}
	var q strings.Builder
	if len(g.defs) > 0 || g.chance(4) {
		q.WriteString("query Q")
		if len(g.defs) > 0 {
			q.WriteString("(" + strings.Join(g.defs, ",") + ")")
		}
	}
	q.WriteString("{" + b.String() + "}")
	for _, f := range g.frags {
		q.WriteString(" " + f)
	}
	return q.String(), g.vars
}

// alias writes an alias at times, and always for a field with arguments already
// in the selection (used), which would not merge.
func (g *queryGen) alias(b *strings.Builder, f genField, used map[string]bool) {
	if g.chance(4) || f.target != "" && used[f.name] {
		g.aliases++
		fmt.Fprintf(b, "a%d:", g.aliases)
	}
}

// variable declares a variable of type typ with value v and returns its name.
func (g *queryGen) variable(typ string, v any) string {
	name := fmt.Sprintf("v%d", len(g.defs))
	g.defs = append(g.defs, "$"+name+":"+typ)
	g.vars[name] = v
	return "$" + name
}

// field writes f and, for relations and lists, its arguments and selection.
func (g *queryGen) field(b *strings.Builder, f genField, depth int, used map[string]bool) {
	g.alias(b, f, used)
	used[f.name] = true
	b.WriteString(f.name)
	if f.target == "" {
		return
	}
	target := g.types[f.target]
	if !f.many {
		if depth == 0 { // a single record by id
			ids := g.ids[f.target]
			id := "1"
			if len(ids) > 0 {
				id = ids[g.rng.IntN(len(ids))]
			}
			if g.chance(10) {
				id = "424242"
			}
			if g.chance(3) {
				fmt.Fprintf(b, "(id:%s)", g.variable("ID!", id))
			} else {
				fmt.Fprintf(b, "(id:%q)", id)
			}
		}
		b.WriteByte('{')
		g.selection(b, target, depth+1)
		b.WriteByte('}')
		return
	}
	var args []string
	if g.chance(2) {
		n := 1 + g.rng.IntN(12)
		if g.chance(3) {
			args = append(args, "first:"+g.variable("Int", float64(n)))
		} else {
			args = append(args, fmt.Sprintf("first:%d", n))
		}
	}
	if g.chance(2) && len(target.enum) > 0 {
		var parts []string
		for range 1 + g.rng.IntN(2) {
			parts = append(parts, fmt.Sprintf("{field:%s,desc:%v}", target.enum[g.rng.IntN(len(target.enum))], g.chance(2)))
		}
		args = append(args, "orderBy:["+strings.Join(parts, ",")+"]")
	}
	if g.chance(3) {
		if lit, val, ok := g.filter(target); ok {
			if g.chance(2) {
				args = append(args, "filter:"+g.variable(target.name+"Filter", val))
			} else {
				args = append(args, "filter:"+lit)
			}
		}
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ",") + ")")
	}
	b.WriteByte('{')
	parts := []string{"nodes", "nodes", "totalCount", "pageInfo", "__typename"}
	for _, i := range g.rng.Perm(len(parts))[:1+g.rng.IntN(3)] {
		switch p := parts[i]; p {
		case "nodes":
			g.alias(b, genField{}, nil)
			b.WriteString("nodes{")
			g.selection(b, target, depth+1)
			b.WriteString("} ")
		case "pageInfo":
			b.WriteString("pageInfo{")
			if g.chance(2) {
				b.WriteString("hasNextPage ")
			}
			b.WriteString("endCursor} ")
		default:
			b.WriteString(p + " ")
		}
	}
	b.WriteByte('}')
}

// filter is a random filter on one of t's scalar fields, as a literal and as a
// variable's value.
func (g *queryGen) filter(t *genType) (string, map[string]any, bool) {
	var leaves []genField
	for _, f := range t.fields {
		if f.scalar != "" && f.scalar != "ID" && slices.Contains(t.enum, f.name) {
			leaves = append(leaves, f)
		}
	}
	if len(leaves) == 0 {
		return "", nil, false
	}
	f := leaves[g.rng.IntN(len(leaves))]
	var op string
	var v any
	switch {
	case g.chance(5):
		op, v = "isNull", g.chance(2)
	case f.scalar == "Int":
		op, v = []string{"gte", "lt", "ne"}[g.rng.IntN(3)], float64(g.rng.IntN(200))
	case f.scalar == "Float":
		op, v = "gt", float64(g.rng.IntN(10000))/4
	case f.scalar == "Boolean":
		op, v = "eq", g.chance(2)
	default:
		op, v = []string{"contains", "startsWith", "ne"}[g.rng.IntN(3)], []string{"1", "企业", "L00", "营业", "居民2"}[g.rng.IntN(5)]
	}
	val := map[string]any{f.name: map[string]any{op: v}}
	lit, _ := json.Marshal(v)
	return fmt.Sprintf("{%s:{%s:%s}}", f.name, op, lit), val, true
}

// selection writes fields of an entity type: scalars, relations (depth allowing),
// inline and named fragments, repeats that merge.
func (g *queryGen) selection(b *strings.Builder, t *genType, depth int) {
	n := 1 + g.rng.IntN(5)
	used := map[string]bool{}
	for range n {
		f := t.fields[g.rng.IntN(len(t.fields))]
		if f.target != "" && depth >= 3 {
			continue
		}
		switch {
		case g.chance(8):
			b.WriteString("... on " + t.name + "{")
			g.field(b, f, depth, used)
			b.WriteString("} ")
		case g.chance(8):
			var fb strings.Builder
			g.field(&fb, f, depth, used)
			g.nfrag++
			name := fmt.Sprintf("F%d", g.nfrag)
			g.frags = append(g.frags, "fragment "+name+" on "+t.name+"{"+fb.String()+"}")
			b.WriteString("..." + name + " ")
		case f.target == "" && g.chance(10): // a leaf: its directives come last
			g.field(b, f, depth, used)
			fmt.Fprintf(b, " @%s(if:%v) ", []string{"skip", "include"}[g.rng.IntN(2)], g.chance(2))
		default:
			g.field(b, f, depth, used)
			b.WriteByte(' ')
		}
	}
	if g.chance(4) {
		b.WriteString("__typename id ")
	}
}

// aggregate writes a random aggregate: groups by some of its fields, a filter at
// times, and some of the group's key, count and function fields.
func (g *queryGen) aggregate(b *strings.Builder) {
	a := g.aggregates[g.rng.IntN(len(g.aggregates))]
	g.aliases++
	fmt.Fprintf(b, "g%d:%s", g.aliases, a.field)
	var args []string
	if len(a.groupBy) > 0 && g.chance(2) {
		var by []string
		for _, i := range g.rng.Perm(len(a.groupBy))[:1+g.rng.IntN(min(2, len(a.groupBy)))] {
			by = append(by, a.groupBy[i])
		}
		args = append(args, "groupBy:["+strings.Join(by, ",")+"]")
	}
	if g.chance(3) {
		args = append(args, fmt.Sprintf("first:%d", 1+g.rng.IntN(20)))
	}
	if t := g.types[a.entity]; t != nil && g.chance(3) {
		if lit, _, ok := g.filter(t); ok {
			args = append(args, "filter:"+lit)
		}
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ",") + ")")
	}
	b.WriteString("{groups{")
	for _, f := range g.objects[a.entity+"Group"] {
		if !g.chance(2) {
			continue
		}
		b.WriteString(f.name)
		if f.target != "" {
			b.WriteByte('{')
			fields := g.objects[f.target]
			for _, i := range g.rng.Perm(len(fields))[:1+g.rng.IntN(len(fields))] {
				b.WriteString(fields[i].name + " ")
			}
			b.WriteByte('}')
		}
		b.WriteByte(' ')
	}
	b.WriteString("count}} ")
}
