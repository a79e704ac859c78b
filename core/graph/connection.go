package graph

import (
	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
)

// Page sizes: a list returns defaultPage items unless asked, never more than maxPage.
const (
	defaultPage = 50
	maxPage     = 500
)

// conn is the value behind every Relay connection.
type conn struct {
	nodes     []any
	cursors   []string
	hasNext   bool
	endCursor string
	total     int
}

type edge struct {
	node   any
	cursor string
}

var pageInfoType = graphql.NewObject(graphql.ObjectConfig{
	Name: "PageInfo",
	Fields: graphql.Fields{
		"hasNextPage": {Type: graphql.NewNonNull(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) {
			return p.Source.(*conn).hasNext, nil
		}},
		"endCursor": {Type: graphql.String, Resolve: func(p graphql.ResolveParams) (any, error) {
			c := p.Source.(*conn)
			if c.endCursor == "" {
				return nil, nil
			}
			return c.endCursor, nil
		}},
	},
})

// connectionOf builds the XConnection and XEdge types for a node type.
func (g *Graph) connectionOf(node *graphql.Object) *graphql.Object {
	if c, ok := g.conns[node.Name()]; ok {
		return c
	}
	c := g.newConnection(node)
	g.conns[node.Name()] = c
	return c
}

func (g *Graph) newConnection(node *graphql.Object) *graphql.Object {
	edgeType := graphql.NewObject(graphql.ObjectConfig{
		Name: node.Name() + "Edge",
		Fields: graphql.Fields{
			"node": {Type: graphql.NewNonNull(node), Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(edge).node, nil
			}},
			"cursor": {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(edge).cursor, nil
			}},
		},
	})
	return graphql.NewObject(graphql.ObjectConfig{
		Name: node.Name() + "Connection",
		Fields: graphql.Fields{
			"edges": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(edgeType))), Resolve: func(p graphql.ResolveParams) (any, error) {
				c := p.Source.(*conn)
				out := make([]edge, len(c.nodes))
				for i, n := range c.nodes {
					cur := ""
					if i < len(c.cursors) {
						cur = c.cursors[i]
					}
					out[i] = edge{node: n, cursor: cur}
				}
				return out, nil
			}},
			"nodes": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(node))), Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(*conn).nodes, nil
			}},
			"pageInfo":   {Type: graphql.NewNonNull(pageInfoType), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source, nil }},
			"totalCount": {Type: graphql.NewNonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*conn).total, nil }},
		},
	})
}

// pageArgs are the Relay arguments every list takes.
func pageArgs(extra graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	args := graphql.FieldConfigArgument{
		"first": {Type: graphql.Int, Description: "At most this many items (default 50, at most 500)."},
		"after": {Type: graphql.String, Description: "The endCursor of the previous page."},
	}
	for k, v := range extra {
		args[k] = v
	}
	return args
}

// firstArg reads and checks the first argument.
func firstArg(args map[string]any) (int, error) {
	v, ok := args["first"].(int)
	if !ok {
		return defaultPage, nil
	}
	if v < 0 || v > maxPage {
		return 0, apierr.Invalid("invalid page size", []apierr.FieldError{{Path: "first", Message: "must be between 0 and 500"}})
	}
	return v, nil
}

func strArg(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

func boolArg(args map[string]any, name string) bool {
	b, _ := args[name].(bool)
	return b
}

// selects reports whether the field being resolved selects name directly (counting
// is skipped when totalCount is not asked for).
func selects(p graphql.ResolveParams, name string) bool {
	for _, f := range p.Info.FieldASTs {
		if f.SelectionSet == nil {
			continue
		}
		for _, s := range f.SelectionSet.Selections {
			switch s := s.(type) {
			case *ast.Field:
				if s.Name != nil && s.Name.Value == name {
					return true
				}
			default:
				return true // fragments: count rather than guess
			}
		}
	}
	return false
}
