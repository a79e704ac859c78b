package kernel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// wsGuard only keeps a broken test from hanging; no test asserts how long anything takes.
const wsGuard = 20 * time.Second

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws as the graphql-ws library does.
type wsClient struct {
	t testing.TB
	c *websocket.Conn
}

// dialWS opens a connection to a tenant's data API; header, if set, is the upgrade's
// Authorization header.
func dialWS(t testing.TB, baseURL, tenant, header string, protocols ...string) *wsClient {
	t.Helper()
	if protocols == nil {
		protocols = []string{graph.WSProtocol}
	}
	h := http.Header{}
	if header != "" {
		h.Set("Authorization", header)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsGuard)
	defer cancel()
	c, res, err := websocket.Dial(ctx, baseURL+"/data/"+tenant+"/graphql", &websocket.DialOptions{Subprotocols: protocols, HTTPHeader: h})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial (%d): %v", status, err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c}
}

func (w *wsClient) send(m any) {
	w.t.Helper()
	b, _ := json.Marshal(m)
	w.sendRaw(string(b))
}

func (w *wsClient) sendRaw(s string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsGuard)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		w.t.Fatalf("send %s: %v", s, err)
	}
}

// read returns the next message other than pong.
func (w *wsClient) read() wsMsg {
	w.t.Helper()
	for {
		m, err := w.next()
		if err != nil {
			w.t.Fatalf("read: %v", err)
		}
		if m.Type != "pong" {
			return m
		}
	}
}

func (w *wsClient) next() (wsMsg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wsGuard)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	if err != nil {
		return wsMsg{}, err
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("server sent %s: %v", b, err)
	}
	return m, nil
}

// closed reads until the server closes and returns its close code.
func (w *wsClient) closed() websocket.StatusCode {
	w.t.Helper()
	for {
		if _, err := w.next(); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// init sends connection_init with payload and expects connection_ack.
func (w *wsClient) init(payload any) {
	w.t.Helper()
	w.send(map[string]any{"type": "connection_init", "payload": payload})
	if m := w.read(); m.Type != "connection_ack" {
		w.t.Fatalf("want connection_ack, got %+v", m)
	}
}

// subscribe starts a subscription and waits until the server watches for it: the
// server reads the ping only after the subscribe before it is in place.
func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	w.t.Helper()
	w.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	w.sync()
}

func (w *wsClient) sync() {
	w.t.Helper()
	w.send(map[string]any{"type": "ping"})
	for {
		m, err := w.next()
		if err != nil {
			w.t.Fatalf("waiting for pong: %v", err)
		}
		if m.Type == "pong" {
			return
		}
		w.t.Fatalf("before pong, got %s %s", m.Type, m.Payload)
	}
}

// change reads a next message of subscription id and returns its one field.
func (w *wsClient) change(id string) map[string]any {
	w.t.Helper()
	m := w.read()
	if m.Type != "next" || m.ID != id {
		w.t.Fatalf("want next for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	var res struct {
		Data   map[string]map[string]any `json:"data"`
		Errors []any                     `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &res); err != nil || len(res.Errors) > 0 || len(res.Data) != 1 {
		w.t.Fatalf("next payload: %s", m.Payload)
	}
	for _, v := range res.Data {
		return v
	}
	return nil
}

// errorCode reads an error message of subscription id and returns its first code.
func (w *wsClient) errorCode(id string) string {
	w.t.Helper()
	m := w.read()
	var errs []struct {
		Extensions map[string]any `json:"extensions"`
	}
	if m.Type != "error" || m.ID != id || json.Unmarshal(m.Payload, &errs) != nil || len(errs) == 0 {
		w.t.Fatalf("want error for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	code, _ := errs[0].Extensions["code"].(string)
	return code
}

// subscriptionFixture publishes the enterprise entity and a Harbin reader who sees
// contact numbers masked; it returns the admin's and the reader's tokens.
func subscriptionFixture(t *testing.T, s *kerneltest.Server) (admin, reader string) {
	t.Helper()
	admin = s.Admin(t)
	if r := s.Apply(t, admin, enterpriseSchema); len(r.Errors) > 0 {
		t.Fatalf("publish: %s", r.Body)
	}
	s.MustDo(t, admin, `mutation{createUser(input:{username:"harbin.reader",password:"password-123",homeTenant:"230100"}){id}}`, nil)
	rbac := "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: enterprise-reader}\nspec: {permissions: [{resources: [Enterprise], actions: [read]}]}\n---\n" +
		"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: harbin-reader}\nspec: {role: enterprise-reader, subjects: [{kind: User, name: harbin.reader}]}\n---\n" +
		"apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230000\", name: Enterprise}\nspec: {fields: {contact: {level: personal, mask: {keepFirst: 3, keepLast: 4}}}}\n"
	if r := s.Apply(t, admin, rbac); len(r.Errors) > 0 {
		t.Fatalf("rbac: %s", r.Body)
	}
	return admin, s.Login(t, "harbin.reader", "password-123")
}

const changedQuery = `subscription($f:EnterpriseFilter,$ops:[ChangeOp!]){enterpriseChanged(filter:$f,ops:$ops){op id version record{tenant uscc name contact deletedAt}}}`

func createEnterprise(t *testing.T, s *kerneltest.Server, token, tenant, uscc, name string, employees int) string {
	t.Helper()
	r := s.Data(t, "230000", token, `mutation($i:EnterpriseInput!,$t:String){createEnterprise(input:$i,tenant:$t){id}}`,
		map[string]any{"i": map[string]any{"uscc": uscc, "name": name, "employees": employees, "contact": "13812345678"}, "t": tenant})
	if len(r.Errors) > 0 {
		t.Fatalf("create %s: %s", name, r.Body)
	}
	return r.Data["createEnterprise"].(map[string]any)["id"].(string)
}

func wantChange(t *testing.T, got map[string]any, op, id string, version float64, fields map[string]any) {
	t.Helper()
	rec, _ := got["record"].(map[string]any)
	if got["op"] != op || got["id"] != id || got["version"] != version || rec == nil {
		t.Fatalf("change = %v, want %s of %s at version %v", got, op, id, version)
	}
	for k, v := range fields {
		if rec[k] != v {
			t.Fatalf("record.%s = %v, want %v (%v)", k, rec[k], v, got)
		}
	}
}

// TestRecordSubscriptions subscribes over graphql-transport-ws and writes through
// the data API: each subscriber receives the changes it may read, in order, masked
// as it may see them, and nothing about records outside its scope.
func TestRecordSubscriptions(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin, reader := subscriptionFixture(t, s)

		all := dialWS(t, s.URL, "230000", "Bearer "+admin)
		all.init(nil)
		all.subscribe("all", changedQuery, nil)
		// The reader signs in through connection_init, as browsers must.
		harbin := dialWS(t, s.URL, "230000", "")
		harbin.init(map[string]any{"Authorization": "Bearer " + reader})
		harbin.subscribe("h", changedQuery, nil)
		// Only deletions of enterprises with at least 10 employees, signed in by {"token"}.
		big := dialWS(t, s.URL, "230100", "")
		big.init(map[string]any{"token": admin})
		big.subscribe("big", changedQuery, map[string]any{"f": map[string]any{"employees": map[string]any{"gte": 10}}, "ops": []string{"DELETE"}})

		daoli := createEnterprise(t, s, admin, "230102", "91230102MA1B2C3D46", "道里科技有限公司", 30)
		qiqihar := createEnterprise(t, s, admin, "230200", "91230200MA1B2C3D7P", "齐齐哈尔重工有限公司", 50)
		nangang := createEnterprise(t, s, admin, "230103", "91230103MA1B2C3D5P", "南岗商贸有限公司", 5)

		wantChange(t, all.change("all"), "CREATE", daoli, 1, map[string]any{"tenant": "230102", "contact": "13812345678"})
		wantChange(t, all.change("all"), "CREATE", qiqihar, 1, map[string]any{"tenant": "230200"})
		wantChange(t, all.change("all"), "CREATE", nangang, 1, map[string]any{"tenant": "230103"})
		// The reader of Harbin gets Harbin's two, masked, and not Qiqihar's between them.
		wantChange(t, harbin.change("h"), "CREATE", daoli, 1, map[string]any{"tenant": "230102", "contact": "138****5678"})
		wantChange(t, harbin.change("h"), "CREATE", nangang, 1, map[string]any{"tenant": "230103", "contact": "138****5678"})

		upd := `mutation($id:ID!){updateEnterprise(id:$id,input:{name:"道里科技股份有限公司"}){version}}`
		if r := s.Data(t, "230102", admin, upd, map[string]any{"id": daoli}); len(r.Errors) > 0 {
			t.Fatalf("update: %s", r.Body)
		}
		for _, id := range []string{qiqihar, nangang, daoli} {
			if r := s.Data(t, "230000", admin, `mutation($id:ID!){deleteEnterprise(id:$id)}`, map[string]any{"id": id}); len(r.Errors) > 0 {
				t.Fatalf("delete: %s", r.Body)
			}
		}
		if r := s.Data(t, "230000", admin, `mutation($id:ID!){restoreEnterprise(id:$id){version}}`, map[string]any{"id": nangang}); len(r.Errors) > 0 {
			t.Fatalf("restore: %s", r.Body)
		}
		wantChange(t, harbin.change("h"), "UPDATE", daoli, 2, map[string]any{"name": "道里科技股份有限公司"})
		wantChange(t, harbin.change("h"), "DELETE", nangang, 2, map[string]any{"tenant": "230103"})
		d := harbin.change("h")
		wantChange(t, d, "DELETE", daoli, 3, nil)
		if d["record"].(map[string]any)["deletedAt"] == nil {
			t.Fatalf("a deleted record comes with deletedAt: %v", d)
		}
		wantChange(t, harbin.change("h"), "RESTORE", nangang, 3, map[string]any{"deletedAt": nil})
		for _, want := range []struct {
			op, id string
		}{{"UPDATE", daoli}, {"DELETE", qiqihar}, {"DELETE", nangang}, {"DELETE", daoli}, {"RESTORE", nangang}} {
			if got := all.change("all"); got["op"] != want.op || got["id"] != want.id {
				t.Fatalf("admin: got %v, want %s of %s", got, want.op, want.id)
			}
		}
		// Filter and ops: Qiqihar is outside 230100's API, Nangang has 5 employees.
		wantChange(t, big.change("big"), "DELETE", daoli, 3, map[string]any{"tenant": "230102"})

		// complete stops a subscription; its id may be used again.
		harbin.send(map[string]any{"id": "h", "type": "complete"})
		harbin.subscribe("h", changedQuery, map[string]any{"ops": []string{"UPDATE"}})
		if r := s.Data(t, "230000", admin, upd, map[string]any{"id": nangang}); len(r.Errors) > 0 {
			t.Fatalf("update: %s", r.Body)
		}
		wantChange(t, harbin.change("h"), "UPDATE", nangang, 4, nil)

		// Logging out ends the reader's subscriptions with 4403.
		s.MustDo(t, reader, `mutation{logout}`, nil)
		if r := s.Data(t, "230000", admin, upd, map[string]any{"id": nangang}); len(r.Errors) > 0 {
			t.Fatalf("update: %s", r.Body)
		}
		if code := harbin.closed(); code != graph.CloseForbidden {
			t.Fatalf("after logout: close %d, want 4403", code)
		}
	})
}

// TestSubscriptionProtocol checks the refusals and close codes graphql-transport-ws
// prescribes.
func TestSubscriptionProtocol(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin, _ := subscriptionFixture(t, s)
		sub := map[string]any{"query": changedQuery}
		closes := []struct {
			name string
			run  func(w *wsClient)
			want websocket.StatusCode
		}{
			{"subscribe before connection_init", func(w *wsClient) { w.send(map[string]any{"id": "1", "type": "subscribe", "payload": sub}) }, graph.CloseUnauthorized},
			{"not JSON", func(w *wsClient) { w.sendRaw("{") }, graph.CloseBadRequest},
			{"unknown type", func(w *wsClient) { w.send(map[string]any{"type": "start"}) }, graph.CloseBadRequest},
			{"subscribe without id", func(w *wsClient) { w.init(nil); w.send(map[string]any{"type": "subscribe", "payload": sub}) }, graph.CloseBadRequest},
			{"subscribe without query", func(w *wsClient) {
				w.init(nil)
				w.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{}})
			}, graph.CloseBadRequest},
			{"second connection_init", func(w *wsClient) { w.init(nil); w.send(map[string]any{"type": "connection_init"}) }, graph.CloseTooManyInits},
			{"bad token", func(w *wsClient) {
				w.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer gds_nonsense"}})
			}, graph.CloseForbidden},
			{"duplicate id", func(w *wsClient) {
				w.init(map[string]any{"token": admin})
				w.subscribe("1", changedQuery, nil)
				w.send(map[string]any{"id": "1", "type": "subscribe", "payload": sub})
			}, graph.CloseDuplicateID},
		}
		for _, tc := range closes {
			w := dialWS(t, s.URL, "230000", "")
			tc.run(w)
			if code := w.closed(); code != tc.want {
				t.Errorf("%s: close %d, want %d", tc.name, code, tc.want)
			}
		}
		if w := dialWS(t, s.URL, "230000", "", "graphql-ws"); w.closed() != graph.CloseBadProtocol {
			t.Error("the legacy subprotocol is not refused with 4406")
		}
		res, err := http.DefaultClient.Do(upgradeRequest(t, s.URL+"/data/230000/graphql", "Bearer gds_nonsense"))
		if err != nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a bad Authorization header is refused before the upgrade: %v %v", res, err)
		}
		res.Body.Close()

		// Refusals that leave the connection open come as error messages.
		anon := dialWS(t, s.URL, "230000", "")
		anon.init(nil)
		anon.send(map[string]any{"id": "a", "type": "subscribe", "payload": sub})
		if code := anon.errorCode("a"); code != "UNAUTHENTICATED" {
			t.Fatalf("unauthenticated subscribe: %s", code)
		}
		w := dialWS(t, s.URL, "230000", "Bearer "+admin)
		w.init(nil)
		for _, tc := range []struct{ query, code string }{
			{`{enterprises(first:1){totalCount}}`, "BAD_REQUEST"},
			{`subscription{enterpriseChanged{op} other:enterpriseChanged{id}}`, "VALIDATION_FAILED"},
			{`subscription{nosuchChanged{op}}`, "VALIDATION_FAILED"},
			{`subscription{enterpriseChanged(filter:{employees:{gte:"x"}}){op}}`, "VALIDATION_FAILED"},
		} {
			w.send(map[string]any{"id": "q", "type": "subscribe", "payload": map[string]any{"query": tc.query}})
			if code := w.errorCode("q"); code != tc.code {
				t.Errorf("%s: %s, want %s", tc.query, code, tc.code)
			}
		}
		// An error ended operation q, so its id is free again; ping still answers.
		w.subscribe("q", changedQuery, nil)
		w.sync()

		// A user who may read no enterprise anywhere is refused at once.
		s.MustDo(t, admin, `mutation{createUser(input:{username:"nobody",password:"password-123",homeTenant:"230100"}){id}}`, nil)
		nobody := dialWS(t, s.URL, "230000", "Bearer "+s.Login(t, "nobody", "password-123"))
		nobody.init(nil)
		nobody.send(map[string]any{"id": "n", "type": "subscribe", "payload": sub})
		if code := nobody.errorCode("n"); code != "FORBIDDEN" {
			t.Fatalf("a user without read: %s", code)
		}
	})
}

// TestSubscriptionLimits runs the socket handler with small limits: the init
// timeout closes with 4408, and operations past the per-connection and per-user
// limits are refused with RATE_LIMITED.
func TestSubscriptionLimits(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin, _ := subscriptionFixture(t, s)
	g := s.K.Graph()
	h := g.Subscriptions(graph.SubscriptionOptions{InitTimeout: 50 * time.Millisecond, PerConnection: 2, PerCaller: 3}, http.NotFoundHandler())
	mux := http.NewServeMux()
	mux.Handle("/data/{tenant}/graphql", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	if w := dialWS(t, srv.URL, "230000", ""); w.closed() != graph.CloseInitTimeout {
		t.Fatal("no connection_init: want 4408")
	}
	one := dialWS(t, srv.URL, "230000", "Bearer "+admin)
	one.init(nil)
	one.subscribe("1", changedQuery, nil)
	one.subscribe("2", changedQuery, nil)
	one.send(map[string]any{"id": "3", "type": "subscribe", "payload": map[string]any{"query": changedQuery}})
	if code := one.errorCode("3"); code != "RATE_LIMITED" {
		t.Fatalf("third on one connection: %s", code)
	}
	two := dialWS(t, srv.URL, "230000", "Bearer "+admin)
	two.init(nil)
	two.subscribe("1", changedQuery, nil)
	two.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": changedQuery}})
	if code := two.errorCode("2"); code != "RATE_LIMITED" {
		t.Fatalf("fourth of one user: %s", code)
	}
	// Completing one frees a place for the user.
	one.send(map[string]any{"id": "1", "type": "complete"})
	one.sync()
	two.subscribe("2", changedQuery, nil)
	id := createEnterprise(t, s, admin, "230102", "91230102MA1B2C3D46", "道里科技有限公司", 30)
	// Each subscription gets the change once; across subscriptions order is not defined.
	got := map[string]bool{}
	for _, c := range []*wsClient{one, two, two} {
		m := c.read()
		if m.Type != "next" || !strings.Contains(string(m.Payload), `"id":"`+id+`"`) {
			t.Fatalf("got %s %s %s", m.Type, m.ID, m.Payload)
		}
		got[fmt.Sprintf("%p/%s", c, m.ID)] = true
	}
	if len(got) != 3 {
		t.Fatalf("deliveries: %v", got)
	}
}

// TestSubscriptionsAcrossReplicas: a subscriber on one replica receives the changes
// written through another, over NATS JetStream.
func TestSubscriptionsAcrossReplicas(t *testing.T) {
	a, r, _, _ := kerneltest.Replicas(t, kerneltest.Options{})
	admin, reader := subscriptionFixture(t, a)
	waitForEntity(t, r, admin)
	// The reader's binding reaches the other replica by its own event: wait for it too.
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res := r.Data(t, "230000", reader, `{enterprises(first:1){totalCount}}`, nil); len(res.Errors) == 0 {
			break
		}
		if time.Since(start) > wsGuard {
			t.Fatal("the other replica never let the reader read enterprises")
		}
	}

	w := dialWS(t, r.URL, "230000", "")
	w.init(map[string]any{"Authorization": "Bearer " + reader})
	w.subscribe("r", changedQuery, nil)
	createEnterprise(t, a, admin, "230200", "91230200MA1B2C3D7P", "齐齐哈尔重工有限公司", 50)
	id := createEnterprise(t, a, admin, "230102", "91230102MA1B2C3D46", "道里科技有限公司", 30)
	wantChange(t, w.change("r"), "CREATE", id, 1, map[string]any{"tenant": "230102", "contact": "138****5678"})
}

// waitForEntity waits until replica r serves the enterprise entity published on the other.
func waitForEntity(t *testing.T, r *kerneltest.Server, token string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < wsGuard; time.Sleep(20 * time.Millisecond) {
		if res := r.Data(t, "230000", token, `{_entities}`, nil); strings.Contains(res.Body, "enterprise") {
			return
		}
	}
	t.Fatal("the other replica never served the enterprise entity")
}

func upgradeRequest(t testing.TB, url, authorization string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Sec-WebSocket-Protocol", graph.WSProtocol)
	req.Header.Set("Authorization", authorization)
	return req
}

// BenchmarkSubscriptionFanout measures, with N subscribers on one kernel (SQLite),
// a write through the data API and its delivery to every socket: write-p50-ms is
// the median mutation round trip, delivered-p50-ms the median from sending the
// mutation to the last subscriber's next message.
func BenchmarkSubscriptionFanout(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			s := kerneltest.Start(b, kerneltest.Options{})
			admin := s.Admin(b)
			if r := s.Apply(b, admin, enterpriseSchema); len(r.Errors) > 0 {
				b.Fatalf("publish: %s", r.Body)
			}
			clients := make([]*wsClient, n)
			for i := range clients {
				clients[i] = dialWS(b, s.URL, "230000", "Bearer "+admin)
				clients[i].init(nil)
				clients[i].subscribe("s", `subscription{enterpriseChanged{op id record{name}}}`, nil)
			}
			create := `mutation($i:EnterpriseInput!){createEnterprise(input:$i,tenant:"230102"){id}}`
			lat, writes := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				code := uscc("230102", i)
				if r := s.Data(b, "230000", admin, create, map[string]any{"i": map[string]any{"uscc": code, "name": "企业" + code}}); len(r.Errors) > 0 {
					b.Fatalf("create: %s", r.Body)
				}
				wrote := time.Since(start)
				for _, c := range clients {
					if m := c.read(); m.Type != "next" {
						b.Fatalf("got %+v", m)
					}
				}
				lat = append(lat, time.Since(start))
				writes = append(writes, wrote)
			}
			b.StopTimer()
			median := func(d []time.Duration) float64 {
				sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
				return float64(d[len(d)/2].Microseconds()) / 1000
			}
			b.ReportMetric(median(writes), "write-p50-ms")
			b.ReportMetric(median(lat), "delivered-p50-ms")
		})
	}
}
