// Command service-hall is a GDBOS reference plugin that adds a GraphQL type with its
// own data: the government service halls (政务服务大厅) of a tenant, their
// addresses, windows and opening hours, from the list it ships (halls.json).
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/gdbos/gdbos/sdk"
)

//go:embed halls.json
var hallsJSON []byte

// Hall is one service hall.
type Hall struct {
	ID      string  `json:"id"`
	Tenant  string  `json:"tenant"`
	Name    string  `json:"name"`
	Address string  `json:"address"`
	Phone   string  `json:"phone"`
	Windows int     `json:"windows"`
	Hours   []Hours `json:"hours"`
}

// Hours are when a hall is open on some days.
type Hours struct {
	Days  string `json:"days"`
	Open  string `json:"open"`
	Close string `json:"close"`
}

const sdl = `
type ServiceHallQuery {
  "The service halls of this tenant."
  halls: [ServiceHallHall!]!
  "One hall of this tenant by ID, or null."
  hall(id: ID!): ServiceHallHall
}
type ServiceHallHall {
  id: ID!
  tenant: String!
  name: String!
  address: String!
  phone: String!
  windows: Int!
  hours: [ServiceHallHours!]!
}
type ServiceHallHours {
  days: String!
  open: String!
  close: String!
}
`

// New returns the plugin over a list of halls.
func New(halls []Hall) sdk.Plugin {
	of := func(tenant string) []Hall {
		out := []Hall{}
		for _, h := range halls {
			if h.Tenant == tenant {
				out = append(out, h)
			}
		}
		return out
	}
	return sdk.Plugin{
		Manifest: sdk.Manifest{ID: "service-hall", Version: "1.0.0", Name: "政务服务大厅", Description: "Service halls, their windows and opening hours."},
		GraphQL: &sdk.GraphQLExtension{SDL: sdl, Resolvers: map[string]sdk.Resolver{
			"halls": func(_ context.Context, r sdk.FieldRequest) (any, error) { return of(r.Tenant), nil },
			"hall": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				for _, h := range of(r.Tenant) {
					if h.ID == r.Args["id"] {
						return h, nil
					}
				}
				return nil, nil
			},
		}},
	}
}

func load(b []byte) ([]Hall, error) {
	var halls []Hall
	if err := json.Unmarshal(b, &halls); err != nil {
		return nil, fmt.Errorf("service-hall: halls.json: %w", err)
	}
	return halls, nil
}

func main() {
	halls, err := load(hallsJSON)
	if err != nil {
		panic(err)
	}
	sdk.Serve(New(halls))
}
