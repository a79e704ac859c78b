package kernel_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/tenant"
)

// The data API answers reads through its own executor (ADR 0020); these tests hold
// it to graphql-go's executor: the same request, as the same caller, must get the
// same bytes from both.

// execFixture is a demo kernel with people, enterprises, licences and applications
// spread over the tenants, a rows policy, a mask, and callers with different grants.
type execFixture struct {
	s       *kerneltest.Server
	codes   []string
	callers map[string]string // name → token ("" for anonymous)
	ids     map[string][]string
}

func newExecFixture(t testing.TB, s *kerneltest.Server, rng *rand.Rand, scale int) *execFixture {
	t.Helper()
	fx := &execFixture{s: s, callers: map[string]string{}, ids: map[string][]string{}}
	admin := s.Admin(t)
	for _, tn := range s.K.Tenants().List(tenant.ListOptions{}) {
		fx.codes = append(fx.codes, tn.Code)
	}
	pick := func() string { return fx.codes[rng.IntN(len(fx.codes))] }
	create := func(typ, at string, input map[string]any) string {
		r := s.Data(t, "230000", admin, fmt.Sprintf(`mutation($v:%sInput!,$t:String){create%s(input:$v,tenant:$t){id}}`, typ, typ), map[string]any{"v": input, "t": at})
		if len(r.Errors) > 0 {
			t.Fatalf("create %s at %s: %s", typ, at, r.Body)
		}
		id := r.Data["create"+typ].(map[string]any)["id"].(string)
		fx.ids[typ] = append(fx.ids[typ], id)
		return id
	}
	for i := range 3 * scale {
		at := pick()
		in := map[string]any{"name": fmt.Sprintf("居民%d", i), "residentId": residentID(t, at[:6], fmt.Sprintf("%03d", i)), "address": fmt.Sprintf("街道<%d>&\"号\"", i)}
		if i%3 != 0 {
			in["mobile"] = fmt.Sprintf("1381234%04d", i)
		}
		create("Person", at, in)
	}
	for i := range 4 * scale {
		in := map[string]any{"uscc": uscc(pick()[:6], i), "name": fmt.Sprintf("企业%03d有限公司", i), "employees": rng.IntN(200)}
		if i == 0 {
			in["employees"] = 150 // enterprise 1 passes the rows policy: its history is read
		}
		if i%4 != 0 {
			in["legalRepresentative"] = fx.ids["Person"][rng.IntN(len(fx.ids["Person"]))]
		}
		if i%5 != 0 {
			in["registeredCapital"] = float64(rng.IntN(100000)) / 8
		}
		create("Enterprise", pick(), in)
	}
	for i := range 8 * scale {
		create("Licence", pick(), map[string]any{"number": fmt.Sprintf("L%04d", i), "kind": []string{"营业执照", "食品经营许可证", "排污许可证"}[rng.IntN(3)],
			"issuedOn": fmt.Sprintf("2026-0%d-1%d", 1+rng.IntN(9), rng.IntN(10)), "holder": fx.ids["Enterprise"][rng.IntN(len(fx.ids["Enterprise"]))]})
	}
	for i := range 2 * scale {
		in := map[string]any{"number": fmt.Sprintf("A%04d", i), "itemCode": fmt.Sprintf("IT%02d", rng.IntN(5)), "applicant": fx.ids["Person"][rng.IntN(len(fx.ids["Person"]))]}
		if i%2 == 0 {
			in["enterprise"] = fx.ids["Enterprise"][rng.IntN(len(fx.ids["Enterprise"]))]
		}
		create("Application", pick(), in)
	}
	docs := []string{
		"apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: all-read}\nspec: {permissions: [{resources: [Enterprise, Licence, Person, Application], actions: [read]}]}\n",
		"apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: all-clear}\nspec: {permissions: [{resources: [Enterprise, Licence, Person, Application], actions: [read, unmask]}]}\n",
		"apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: ent-read}\nspec: {permissions: [{resources: [Enterprise, Licence], actions: [read]}]}\n",
		"apiVersion: gdbos.io/v1\nkind: Policy\nmetadata: {tenant: \"230100\", name: big}\nspec:\n  purpose: rows\n  target: Enterprise\n  module: |\n    package big\n\n    allow if input.row.employees >= 100\n",
		"apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230000\", name: Person}\nspec: {fields: {mobile: {level: personal, mask: {keepFirst: 3, keepLast: 4}}, residentId: {level: sensitive, mask: {keepFirst: 6}}}}\n",
	}
	users := map[string][]string{ // user → role@tenant
		"province": {"all-read@230000"},
		"clear":    {"all-clear@230100"},
		"city":     {"all-read@230100", "ent-read@" + pick()},
		"partial":  {"ent-read@" + pick(), "ent-read@" + pick()},
		"nogrant":  nil,
	}
	for name, grants := range users {
		s.MustDo(t, admin, `mutation($u:String!){createUser(input:{username:$u,password:"password-123",homeTenant:"230000"}){id}}`, map[string]any{"u": name})
		for i, g := range grants {
			role, at, _ := strings.Cut(g, "@")
			docs = append(docs, fmt.Sprintf("apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: %q, name: %s-%d}\nspec: {role: %s, subjects: [{kind: User, name: %s}]}\n", at, name, i, role, name))
		}
	}
	if r := s.Apply(t, admin, strings.Join(docs, "---\n")); len(r.Errors) > 0 {
		t.Fatalf("fixture: %s", r.Body)
	}
	for name := range users {
		fx.callers[name] = s.Login(t, name, "password-123")
	}
	fx.callers["admin"] = admin
	fx.callers["anonymous"] = ""
	return fx
}

// execTable is the fixed part of the differential test: the shapes the executor
// covers, the errors it leaves to graphql-go, and shapes it does not plan.
var execTable = []struct {
	query string
	vars  map[string]any
	// planned: the plan must answer it for a caller who may read everything.
	planned bool
}{
	{query: `{licences(first:20,orderBy:[{field:id}]){nodes{kind status holder{uscc name legalRepresentative{name mobile}}}}}`, planned: true},
	{query: `{persons(first:5,orderBy:[{field:id}]){nodes{name representedEnterprises(first:5,orderBy:[{field:id}]){nodes{uscc name licences(first:3,orderBy:[{field:id}]){nodes{kind status}}}}}}}`, planned: true},
	{query: `{enterprises{totalCount pageInfo{hasNextPage endCursor} nodes{id __typename tenant createdAt updatedAt createdBy updatedBy deletedAt version uscc name type registeredCapital industry division address establishedOn employees status}}}`, planned: true},
	{query: `{a:enterprises(first:3){totalCount nodes{x:id y:name}} b:enterprises(first:2,after:"bzoz"){pageInfo{endCursor hasNextPage} nodes{id}}}`, planned: true},
	{query: `{enterpriseAggregate(groupBy:[tenant]){groups{key{tenant} count sum{employees registeredCapital} avg{employees registeredCapital} min{employees establishedOn} max{registeredCapital} __typename}}}`, planned: true},
	{query: `{personAggregate(groupBy:[mobile,tenant],first:7){groups{key{mobile tenant name} count}} licenceAggregate(groupBy:[holder,kind]){groups{key{holder kind} count}}}`, planned: true},
	{query: `query($f:EnterpriseFilter){enterpriseAggregate(filter:$f){groups{count sum{employees}}}}`, vars: map[string]any{"f": map[string]any{"employees": map[string]any{"gt": 20}}}, planned: true},
	{query: `{enterpriseAggregate(first:0){groups{count}}}`},
	{query: `{enterpriseHistory(id:"1"){version op by}}`, planned: true},
	{query: `{enterpriseHistory(id:"1"){version record{name}}}`},
	{query: `{_entities}`, planned: true},
	{query: `query($n:Int,$f:EnterpriseFilter){enterprises(first:$n,filter:$f,orderBy:[{field:employees,desc:true},{field:id}]){totalCount nodes{id employees}}}`, vars: map[string]any{"n": 7, "f": map[string]any{"employees": map[string]any{"gte": 50}}}},
	{query: `query($n:Int,$f:EnterpriseFilter){enterprises(first:$n,filter:$f){totalCount}}`, vars: map[string]any{"n": 7.0, "f": map[string]any{"or": []any{map[string]any{"name": map[string]any{"contains": "1"}}, map[string]any{"legalRepresentative": map[string]any{"mobile": map[string]any{"isNull": true}}}}}}},
	{query: `query($n:Int){enterprises(first:$n){totalCount}}`, vars: map[string]any{"n": 1.5}},
	{query: `query($n:Int!){enterprises(first:$n){totalCount}}`},
	{query: `query($f:EnterpriseFilter){enterprises(filter:$f){totalCount}}`, vars: map[string]any{"f": map[string]any{"nope": 1}}},
	{query: `{persons(first:50){nodes{...P applications(first:2){totalCount nodes{number ... on Application{itemCode enterprise{name}}}}}} p2:persons(first:1){nodes{...P}}} fragment P on Person{__typename id name mobile residentId}`},
	{query: `{persons(first:50){nodes{mobile ...P mobile}} } fragment P on Person{mobile name representedEnterprises{nodes{name}} representedEnterprises{totalCount}}`},
	{query: `{licences(first:30,filter:{holder:{employees:{lt:100}}}){totalCount nodes{id holder{id employees}}}}`},
	{query: `{enterprises(first:30,filter:{licences:{some:{kind:{eq:"营业执照"}}}}){totalCount nodes{id licences(filter:{kind:{eq:"营业执照"}}){totalCount nodes{kind}}}}}`},
	{query: `{enterprises(first:0){totalCount}}`},
	{query: `{enterprises(first:1000){totalCount}}`},
	{query: `{enterprises(after:"nonsense"){totalCount}}`},
	{query: `{enterprises(deleted:true){totalCount nodes{id}}}`},
	{query: `{enterprises{nodes{id licences(first:0){totalCount}}}}`},
	{query: `{enterprise(id:"1"){id name legalRepresentative{name}}}`},
	{query: `{enterprise(id:"x"){id}}`},
	{query: `{enterprise(id:"999999"){id}}`},
	{query: `{__typename enterprises(first:1){__typename pageInfo{__typename} nodes{__typename}}}`},
	{query: `{enterprises(first:3){nodes{id name @skip(if:true) employees @include(if:false) uscc @include(if:true) legalRepresentative @skip(if:true){name}} totalCount @skip(if:false)}}`, planned: true},
	{query: `{persons(first:3){nodes{...P @skip(if:true) ... on Person @include(if:true){name} ...P}}} fragment P on Person{mobile}`, planned: true},
	{query: `query($s:Boolean!){enterprises(first:3){nodes{id name @skip(if:$s)}}}`, vars: map[string]any{"s": true}},
	{query: `{__schema{queryType{name}}}`},
	{query: `query A{enterprises(first:1){totalCount}} query B{persons(first:1){totalCount}}`},
	{query: `mutation{deleteEnterprise(id:"1")}`},
	{query: `{enterprises(first:2){nodes{nope}}}`},
}

// answers are the plan's answer (planned: the plan answered) and graphql-go's.
func (fx *execFixture) answers(t testing.TB, caller, api, query string, vars map[string]any) (fast []byte, planned bool, generic []byte) {
	t.Helper()
	g, req := fx.s.K.Graph(), graph.Request{Query: query, Variables: vars}
	fast, planned, err := g.DataAnswer(context.Background(), fx.callers[caller], api, req, false)
	if err == nil {
		generic, _, err = g.DataAnswer(context.Background(), fx.callers[caller], api, req, true)
	}
	if err != nil {
		t.Fatalf("%s as %s: %v", query, caller, err)
	}
	return fast, planned, generic
}

// execCheck compares the two executors on one request; it returns whether the
// plan answered.
func execCheck(t testing.TB, fx *execFixture, caller, api, query string, vars map[string]any) bool {
	t.Helper()
	fast, planned, generic := fx.answers(t, caller, api, query, vars)
	// Unplanned, both answers are graphql-go's, whose order of errors follows its
	// map of fields: nothing to compare.
	if planned && !bytes.Equal(fast, generic) {
		t.Fatalf("the executors differ on %s %v at %s as %s (planned %v):\nplan:     %s\ngraphql:  %s", query, vars, api, caller, planned, fast, generic)
	}
	return planned
}

// TestDataExecutorMatchesGraphQL runs a table of queries and a seeded random
// generator's queries through both executors, as callers with different grants, on
// SQLite and PostgreSQL, and requires byte-identical answers.
func TestDataExecutorMatchesGraphQL(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{DemoEntities: true}, func(t *testing.T, s *kerneltest.Server) {
		rng, seed, cases := propertyRun(t, 0x3e7ec0de5eed)
		cases /= 5
		fx := newExecFixture(t, s, rng, 10)
		callers := slices.Sorted(func(yield func(string) bool) {
			for c := range fx.callers {
				if !yield(c) {
					return
				}
			}
		})
		planned, total := 0, 0
		for _, c := range callers {
			for _, api := range []string{"230000", "230100", fx.codes[len(fx.codes)-1]} {
				for _, q := range execTable {
					total++
					if execCheck(t, fx, c, api, q.query, q.vars) {
						planned++
					}
				}
			}
		}
		// The benchmark shapes and the others marked must be planned for a caller
		// who may read.
		for _, q := range execTable {
			if _, ok, _ := fx.answers(t, "province", "230000", q.query, q.vars); q.planned && !ok {
				t.Errorf("not planned: %s", q.query)
			}
		}
		gen := newQueryGen(t, fx, rng)
		for i := range cases {
			q, vars := gen.query()
			c := callers[rng.IntN(len(callers))]
			api := fx.codes[rng.IntN(len(fx.codes))]
			if rng.IntN(3) > 0 {
				api = []string{"230000", "230100"}[rng.IntN(2)]
			}
			total++
			fast, ok, generic := fx.answers(t, c, api, q, vars)
			if ok && !bytes.Equal(fast, generic) {
				t.Fatalf("case %d (seed %d): the executors differ on %s %v at %s as %s (planned %v):\nplan:     %s\ngraphql:  %s", i, seed, q, vars, api, c, ok, fast, generic)
			}
			if ok {
				planned++
			}
		}
		if _, _, faults := s.K.Graph().DataExecutorCounts(); faults > 0 {
			t.Errorf("%d plans panicked", faults)
		}
		t.Logf("%d requests, %d answered by the plan, all identical to graphql-go's", total, planned)
		if planned < total/3 {
			t.Errorf("only %d of %d requests planned", planned, total)
		}
	})
}
