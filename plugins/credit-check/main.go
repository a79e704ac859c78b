// Command credit-check is a GDBOS reference plugin: a workflow action and a GraphQL
// field that look an enterprise up, by unified social credit code, in the credit
// list the plugin ships (credit.csv).
package main

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/gdbos/gdbos/sdk"
)

//go:embed credit.csv
var creditCSV string

// Record is one line of the credit list.
type Record struct {
	USCC  string `json:"uscc"`
	Name  string `json:"name"`
	Level string `json:"level"`
	Score int    `json:"score"`
}

// load reads the credit list, keyed by credit code.
func load(text string) (map[string]Record, error) {
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("credit-check: credit list: %w", err)
	}
	out := map[string]Record{}
	for i, r := range rows {
		if i == 0 {
			continue
		}
		if len(r) != 4 {
			return nil, fmt.Errorf("credit-check: credit list line %d: want 4 columns, got %d", i+1, len(r))
		}
		score, err := strconv.Atoi(r[3])
		if err != nil {
			return nil, fmt.Errorf("credit-check: credit list line %d: score: %w", i+1, err)
		}
		out[r[0]] = Record{USCC: r[0], Name: r[1], Level: r[2], Score: score}
	}
	return out, nil
}

const sdl = `
type CreditCheckQuery {
  "An enterprise's credit status, or null when the list does not know it."
  status(uscc: String!): CreditCheckStatus
}
type CreditCheckStatus {
  uscc: String!
  name: String!
  level: CreditCheckLevel!
  score: Int!
}
enum CreditCheckLevel { GOOD WATCH BLACKLISTED }
`

// New returns the plugin over a credit list.
func New(list map[string]Record) sdk.Plugin {
	lookup := func(uscc string) (Record, bool) {
		r, ok := list[strings.ToUpper(strings.TrimSpace(uscc))]
		return r, ok
	}
	return sdk.Plugin{
		Manifest: sdk.Manifest{ID: "credit-check", Version: "1.0.0", Name: "企业信用核查",
			Description: "Looks enterprises up in a local credit list."},
		GraphQL: &sdk.GraphQLExtension{SDL: sdl, Resolvers: map[string]sdk.Resolver{
			"status": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				uscc, _ := r.Args["uscc"].(string)
				rec, ok := lookup(uscc)
				if !ok {
					return nil, nil
				}
				return rec, nil
			},
		}},
		Actions: map[string]sdk.Action{
			// check decides an approval step on the applicant's credit: GOOD passes,
			// WATCH goes to manual review, BLACKLISTED and unknown codes are rejected.
			"check": func(_ context.Context, r sdk.ActionRequest) (sdk.Outcome, error) {
				uscc, _ := r.Case["uscc"].(string)
				if uscc == "" {
					return sdk.Outcome{}, sdk.Errorf("BAD_REQUEST", "the case has no uscc")
				}
				rec, ok := lookup(uscc)
				switch {
				case !ok:
					return sdk.Outcome{Outcome: "reject", Message: "the credit list does not know " + uscc}, nil
				case rec.Level == "GOOD":
					return sdk.Outcome{Outcome: "pass", Data: map[string]any{"score": rec.Score}}, nil
				case rec.Level == "WATCH":
					return sdk.Outcome{Outcome: "review", Message: rec.Name + " is on the watch list", Data: map[string]any{"score": rec.Score}}, nil
				}
				return sdk.Outcome{Outcome: "reject", Message: rec.Name + " is blacklisted", Data: map[string]any{"score": rec.Score}}, nil
			},
		},
	}
}

func main() {
	list, err := load(creditCSV)
	if err != nil {
		panic(err)
	}
	sdk.Serve(New(list))
}
