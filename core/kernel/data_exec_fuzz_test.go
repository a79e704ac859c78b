package kernel_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// FuzzDataPlan sends arbitrary query text to a data API with records, masks and a
// rows policy: the plan compiler and executor must not panic, and an answer the plan
// gives must be graphql-go's, byte for byte (a request the plan does not cover goes
// to graphql-go's executor).
func FuzzDataPlan(f *testing.F) {
	for _, q := range execTable {
		f.Add(q.query, "")
	}
	f.Add(`query($f:LicenceFilter){licences(filter:$f){nodes{id}}}`, `{"f":{"kind":{"eq":"营业执照"}}}`)
	f.Add(`query($n:Int){persons(first:$n){nodes{...on Person{id}}}}`, `{"n":2}`)
	s := kerneltest.Start(f, kerneltest.Options{DemoEntities: true})
	fx := newExecFixture(f, s, rand.New(rand.NewPCG(1, 2)), 2)
	f.Fuzz(func(t *testing.T, query, vars string) {
		var v map[string]any
		if vars != "" {
			if err := json.Unmarshal([]byte(vars), &v); err != nil {
				return
			}
		}
		for _, caller := range []string{"city", "nogrant"} {
			fast, planned, generic := fx.answers(t, caller, "230100", query, v)
			if _, _, faults := s.K.Graph().DataExecutorCounts(); faults > 0 {
				t.Fatalf("the plan panicked on %q %s as %s", query, vars, caller)
			}
			if planned && !bytes.Equal(fast, generic) {
				t.Fatalf("the executors differ on %q %s as %s:\nplan:    %s\ngraphql: %s", query, vars, caller, fast, generic)
			}
		}
	})
}
