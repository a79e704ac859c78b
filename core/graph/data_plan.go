package graph

import (
	"slices"
	"strings"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/entity"
)

// A data API read is compiled once per (schema generation, query, operation) into a
// plan: which record field, list, single record, relation or connection part each
// selected field is, its arguments as the document gives them, and its sub-fields
// in the order the answer writes them. dataRun (data_exec.go) executes a plan with
// the resolvers' own reads. What the plan does not cover compiles to no plan, and
// the request goes to graphql-go's executor.

// roleKind is what a field of the data schema is.
type roleKind uint8

const (
	roleGet       roleKind = iota + 1 // Query.<entity>(id): one record
	roleList                          // Query.<entities>(…): a connection of records
	roleID                            // a record's id
	roleColumn                        // a record's system column: tenant, createdAt, version …
	roleField                         // an entity field, masked as its classification asks
	roleManyToOne                     // a relation to one record
	roleToMany                        // a relation to a connection of records
	roleTotal                         // Connection.totalCount
	roleNodes                         // Connection.nodes
	rolePageInfo                      // Connection.pageInfo
	roleHasNext                       // PageInfo.hasNextPage
	roleEndCursor                     // PageInfo.endCursor
	// roleResolve is any other field of the data schema outside the entity and
	// connection types (aggregates, a record's history without its records,
	// _entities): its own resolver answers it, and its value is completed as
	// graphql-go completes it.
	roleResolve
)

// fieldRole is what the data schema's builder made one field for.
type fieldRole struct {
	kind  roleKind
	et    *entityType // the entity whose records the field is on, reads or lists
	src   *entityType // a relation's source entity
	rel   entity.Relation
	field entity.Field
}

// recordColumns are the system columns every entity object has (entityTypes).
var recordColumns = []string{"tenant", "createdAt", "updatedAt", "createdBy", "updatedBy", "deletedAt", "version"}

// building holds the entity types made during each schema build, keyed by the
// build's PageInfo object (one per build): whatever makes entity types with
// entityTypes has them indexed, versions too.
var building sync.Map // *graphql.Object → *buildList

func noteEntityType(pageInfo *graphql.Object, et *entityType) {
	v, _ := building.LoadOrStore(pageInfo, &buildList{})
	l := v.(*buildList)
	l.mu.Lock()
	l.ets = append(l.ets, et)
	l.mu.Unlock()
}

type buildList struct {
	mu  sync.Mutex
	ets []*entityType
}

// builtEntityTypes are the entity types made so far in the build of pageInfo.
func builtEntityTypes(pageInfo *graphql.Object) []*entityType {
	v, ok := building.Load(pageInfo)
	if !ok {
		return nil
	}
	l := v.(*buildList)
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ets)
}

// forgetEntityTypes ends the build of pageInfo.
func forgetEntityTypes(pageInfo *graphql.Object) { building.Delete(pageInfo) }

// dataIndex is the side table of one data schema: GraphQL object type and field name
// to what the field is. A field it does not know is not planned.
type dataIndex struct {
	roles map[*graphql.Object]map[string]fieldRole
	// records are the entity and connection objects: only the roles above answer
	// on them, for their values need the executor's loading.
	records map[*graphql.Object]bool
	// outside are the root fields answered outside the kernel (a granted plugin's
	// namespace): a plan that fails after calling one would have graphql-go call it
	// again — twice the plugin's work, a crash twice, a timeout twice as long — so
	// requests that select one are never planned.
	outside map[string]bool
	query   *graphql.Object
}

// indexDataSchema records what the builder made of each entity's types; ets are the
// schema's entity types (several may share an entity, as versions do), outside the
// root fields answered outside the kernel.
func indexDataSchema(schema *graphql.Schema, ets []*entityType, outside map[string]bool) *dataIndex {
	idx := &dataIndex{roles: map[*graphql.Object]map[string]fieldRole{}, records: map[*graphql.Object]bool{},
		outside: outside, query: schema.QueryType()}
	set := func(o *graphql.Object, name string, r fieldRole) {
		if o == nil {
			return
		}
		if _, ok := o.Fields()[name]; !ok {
			return
		}
		m := idx.roles[o]
		if m == nil {
			m = map[string]fieldRole{}
			idx.roles[o] = m
		}
		m[name] = r
	}
	byObj := map[*graphql.Object]*entityType{}
	byConn := map[*graphql.Object]*entityType{}
	for _, et := range ets {
		byObj[et.obj], byConn[et.conn] = et, et
		idx.records[et.obj], idx.records[et.conn] = true, true
	}
	for _, et := range ets {
		set(et.obj, "id", fieldRole{kind: roleID, et: et})
		for _, c := range recordColumns {
			set(et.obj, c, fieldRole{kind: roleColumn, et: et})
		}
		for _, f := range et.d.tb.Fields {
			set(et.obj, f.Name, fieldRole{kind: roleField, et: et, field: f})
		}
		for _, r := range et.d.tb.Relations {
			def, ok := et.obj.Fields()[r.Name]
			if !ok {
				continue
			}
			// The relation's target is the entity type the builder gave the field.
			switch t := def.Type.(type) {
			case *graphql.Object:
				if target := byObj[t]; target != nil && r.Kind == entity.ManyToOne {
					set(et.obj, r.Name, fieldRole{kind: roleManyToOne, et: target, src: et, rel: r})
				}
			case *graphql.NonNull:
				if c, ok := t.OfType.(*graphql.Object); ok && byConn[c] != nil && r.Kind != entity.ManyToOne {
					set(et.obj, r.Name, fieldRole{kind: roleToMany, et: byConn[c], src: et, rel: r})
				}
			}
		}
		set(et.conn, "totalCount", fieldRole{kind: roleTotal, et: et})
		set(et.conn, "nodes", fieldRole{kind: roleNodes, et: et})
		set(et.conn, "pageInfo", fieldRole{kind: rolePageInfo, et: et})
		if def, ok := et.conn.Fields()["pageInfo"]; ok {
			if pi, ok := named(def.Type).(*graphql.Object); ok {
				set(pi, "hasNextPage", fieldRole{kind: roleHasNext})
				set(pi, "endCursor", fieldRole{kind: roleEndCursor})
			}
		}
	}
	q := schema.QueryType()
	if q == nil {
		return idx
	}
	for name, def := range q.Fields() {
		switch t := def.Type.(type) {
		case *graphql.Object:
			if et := byObj[t]; et != nil && len(def.Args) == 1 && def.Args[0].Name() == "id" {
				set(q, name, fieldRole{kind: roleGet, et: et})
			}
		case *graphql.NonNull:
			if c, ok := t.OfType.(*graphql.Object); ok && byConn[c] != nil && argDef(def, "after") != nil {
				set(q, name, fieldRole{kind: roleList, et: byConn[c]})
			}
		}
	}
	return idx
}

// dataPlan is one operation of a document, compiled.
type dataPlan struct {
	op     *ast.OperationDefinition
	frags  map[string]ast.Definition
	fields []*planNode
}

// planNode is one response key of a selection.
type planNode struct {
	// key is the response key as JSON, with its colon.
	key  []byte
	role fieldRole
	// typename is the object's name for __typename (role zero).
	typename string
	scalar   *graphql.Scalar
	nonNull  bool
	// asts are the field's nodes in the document (several when merged) and def its
	// definition: the resolvers read their arguments and selections.
	asts []*ast.Field
	def  *graphql.FieldDefinition
	// sub are the object's or connection's fields, in answer order.
	sub []*planNode
	// rels are the relations selected on the records (under nodes, for connections).
	rels []*planNode
	// For roleResolve: the value is a list (of non-null items), or an object.
	list, itemNonNull bool
	object            *graphql.Object
}

// planCompiler compiles one operation against one data schema.
type planCompiler struct {
	idx   *dataIndex
	frags map[string]*ast.FragmentDefinition
	depth int
}

// compileDataPlan compiles the operation of doc that operationName picks, or returns
// nil when the plan does not cover it.
func compileDataPlan(schema *graphql.Schema, idx *dataIndex, doc *ast.Document, operationName string) *dataPlan {
	if idx == nil || doc == nil || schema.QueryType() == nil {
		return nil
	}
	c := planCompiler{idx: idx, frags: map[string]*ast.FragmentDefinition{}}
	p := &dataPlan{frags: map[string]ast.Definition{}}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
			// As graphql-go picks it.
			if operationName == "" && p.op != nil {
				return nil
			}
			if operationName == "" || d.Name != nil && d.Name.Value == operationName {
				p.op = d
			}
		case *ast.FragmentDefinition:
			if d.Name == nil {
				return nil
			}
			c.frags[d.Name.Value] = d
			p.frags[d.Name.Value] = d
		default:
			return nil
		}
	}
	if p.op == nil || p.op.Operation != ast.OperationTypeQuery || len(p.op.Directives) > 0 {
		return nil
	}
	for _, v := range p.op.VariableDefinitions {
		if v == nil || v.Variable == nil || v.Variable.Name == nil || v.Type == nil {
			return nil
		}
	}
	fields, ok := c.selection(schema.QueryType(), []*ast.SelectionSet{p.op.SelectionSet})
	if !ok {
		return nil
	}
	p.fields = fields
	return p
}

// selection compiles the selection sets on obj (several for merged fields): the
// fields by response key, as graphql-go collects them.
func (c *planCompiler) selection(obj *graphql.Object, sets []*ast.SelectionSet) ([]*planNode, bool) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
		return nil, false
	}
	var order []string
	byKey := map[string][]*ast.Field{}
	visited := map[string]bool{}
	var collect func(ss *ast.SelectionSet) bool
	collect = func(ss *ast.SelectionSet) bool {
		if ss == nil {
			return true
		}
		for _, sel := range ss.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				include, ok := literalInclude(s.Directives)
				if !ok || s.Name == nil {
					return false
				}
				if !include {
					continue
				}
				key := s.Name.Value
				if s.Alias != nil && s.Alias.Value != "" {
					key = s.Alias.Value
				}
				if _, seen := byKey[key]; !seen {
					order = append(order, key)
				}
				byKey[key] = append(byKey[key], s)
			case *ast.InlineFragment:
				include, ok := literalInclude(s.Directives)
				if !ok {
					return false
				}
				if !include {
					continue
				}
				if !c.applies(s.TypeCondition, obj) || !collect(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				include, ok := literalInclude(s.Directives)
				if !ok || s.Name == nil {
					return false
				}
				if visited[s.Name.Value] || !include {
					continue
				}
				visited[s.Name.Value] = true
				f, ok := c.frags[s.Name.Value]
				if !ok || len(f.Directives) > 0 || !c.applies(f.TypeCondition, obj) || !collect(f.SelectionSet) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	for _, ss := range sets {
		if !collect(ss) {
			return nil, false
		}
	}
	slices.Sort(order) // encoding/json writes a map's keys in order
	out := make([]*planNode, 0, len(order))
	for _, key := range order {
		n, ok := c.field(obj, key, byKey[key])
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// literalInclude is graphql-go's shouldIncludeNode for @skip and @include whose if
// is a literal (@skip first); ok is false for a variable or another directive, which
// the plan leaves to graphql-go.
func literalInclude(dirs []*ast.Directive) (include, ok bool) {
	include = true
	var skip, incl *ast.Directive
	for _, d := range dirs {
		if d == nil || d.Name == nil {
			continue
		}
		switch d.Name.Value {
		case "skip":
			skip = d
		case "include":
			incl = d
		default:
			return false, false
		}
	}
	for _, d := range []*ast.Directive{skip, incl} {
		if d == nil {
			continue
		}
		var v ast.Value
		for _, a := range d.Arguments {
			if a.Name != nil && a.Name.Value == "if" {
				v = a.Value
			}
		}
		b, isBool := v.(*ast.BooleanValue)
		if !isBool {
			return false, false
		}
		if d == skip && b.Value || d == incl && !b.Value {
			include = false
		}
	}
	return include, true
}

// applies reports whether a fragment's type condition holds on obj: the data schema
// has no interfaces or unions, so only obj itself does.
func (c *planCompiler) applies(cond *ast.Named, obj *graphql.Object) bool {
	return cond == nil || cond.Name != nil && cond.Name.Value == obj.Name()
}

func (c *planCompiler) field(obj *graphql.Object, key string, asts []*ast.Field) (*planNode, bool) {
	name := asts[0].Name.Value
	n := &planNode{key: append(appendJSONString(nil, key), ':'), asts: asts}
	if name == "__typename" {
		n.typename = obj.Name()
		return n, true
	}
	if obj == c.idx.query && c.idx.outside[name] {
		return nil, false
	}
	role, ok := c.idx.roles[obj][name]
	if !ok {
		if c.idx.records[obj] || strings.HasPrefix(name, "__") {
			return nil, false
		}
		role = fieldRole{kind: roleResolve}
	}
	n.role, n.def = role, obj.Fields()[name]
	if n.def == nil {
		return nil, false
	}
	_, n.nonNull = n.def.Type.(*graphql.NonNull)
	sets := make([]*ast.SelectionSet, len(asts))
	for i, f := range asts {
		sets[i] = f.SelectionSet
	}
	switch role.kind {
	case roleID, roleColumn, roleField, roleTotal, roleHasNext, roleEndCursor:
		sc, ok := named(n.def.Type).(*graphql.Scalar)
		if !ok {
			return nil, false
		}
		n.scalar = sc
		return n, true
	case roleGet, roleManyToOne, roleNodes:
		sub, ok := c.selection(role.et.obj, sets)
		if !ok {
			return nil, false
		}
		n.sub = sub
		n.rels = relationsOf(sub)
	case roleList, roleToMany:
		sub, ok := c.selection(role.et.conn, sets)
		if !ok {
			return nil, false
		}
		n.sub = sub
		for _, s := range sub {
			if s.role.kind == roleNodes {
				n.rels = append(n.rels, s.rels...)
			}
		}
	case roleResolve:
		return c.resolved(n, sets)
	case rolePageInfo:
		pi, ok := named(n.def.Type).(*graphql.Object)
		if !ok {
			return nil, false
		}
		sub, ok := c.selection(pi, sets)
		if !ok {
			return nil, false
		}
		n.sub = sub
	default:
		return nil, false
	}
	return n, true
}

// resolved compiles a field its resolver answers: a scalar, an object other than
// an entity's or a connection, or a list of either, at most one list deep.
func (c *planCompiler) resolved(n *planNode, sets []*ast.SelectionSet) (*planNode, bool) {
	t := graphql.Type(n.def.Type)
	if nn, ok := t.(*graphql.NonNull); ok {
		t = nn.OfType
	}
	if l, ok := t.(*graphql.List); ok {
		n.list = true
		t = l.OfType
		if nn, ok := t.(*graphql.NonNull); ok {
			n.itemNonNull = true
			t = nn.OfType
		}
	}
	switch t := t.(type) {
	case *graphql.Scalar:
		n.scalar = t
		return n, true
	case *graphql.Object:
		if c.idx.records[t] {
			return nil, false
		}
		sub, ok := c.selection(t, sets)
		if !ok {
			return nil, false
		}
		n.sub, n.object = sub, t
		return n, true
	}
	return nil, false
}

func relationsOf(sub []*planNode) []*planNode {
	var out []*planNode
	for _, s := range sub {
		if s.role.kind == roleManyToOne || s.role.kind == roleToMany {
			out = append(out, s)
		}
	}
	return out
}

// planKey is the key of a plan in its API's cache.
func planKey(query, operationName string) string {
	var b strings.Builder
	b.Grow(len(query) + len(operationName) + 1)
	b.WriteString(operationName)
	b.WriteByte(0)
	b.WriteString(query)
	return b.String()
}
