package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
)

// WSProtocol is the WebSocket subprotocol of the data API's subscriptions: the
// protocol of the graphql-ws npm library.
const WSProtocol = "graphql-transport-ws"

// Close codes of graphql-transport-ws, and the one for a client that does not keep
// up (RFC 6455's "try again later").
const (
	CloseBadRequest    websocket.StatusCode = 4400
	CloseUnauthorized  websocket.StatusCode = 4401
	CloseForbidden     websocket.StatusCode = 4403
	CloseBadProtocol   websocket.StatusCode = 4406
	CloseInitTimeout   websocket.StatusCode = 4408
	CloseDuplicateID   websocket.StatusCode = 4409
	CloseTooManyInits  websocket.StatusCode = 4429
	CloseInternalError websocket.StatusCode = 4500
	CloseTooSlow                            = websocket.StatusTryAgainLater
)

// SubscriptionOptions bound the WebSocket side of the data APIs; zero fields take
// DefaultSubscriptionOptions.
type SubscriptionOptions struct {
	// InitTimeout is how long a connection may stay without connection_init
	// (graphql-ws's connectionInitWaitTimeout).
	InitTimeout time.Duration
	// PerConnection is the most operations one connection may run at once.
	PerConnection int
	// PerCaller is the most operations one user may run at once on this replica,
	// over all their connections.
	PerCaller int
	// Buffer is how many messages may wait for a client, and how many changes for a
	// subscription, before the connection is closed as too slow (CloseTooSlow):
	// a slow client never holds up the event bus.
	Buffer int
	// WriteTimeout bounds the sending of one message.
	WriteTimeout time.Duration
}

// DefaultSubscriptionOptions are used where a SubscriptionOptions field is zero.
var DefaultSubscriptionOptions = SubscriptionOptions{InitTimeout: 10 * time.Second, PerConnection: 100, PerCaller: 500, Buffer: 256, WriteTimeout: 10 * time.Second}

func (o SubscriptionOptions) withDefaults() SubscriptionOptions {
	d := DefaultSubscriptionOptions
	if o.InitTimeout <= 0 {
		o.InitTimeout = d.InitTimeout
	}
	if o.PerConnection <= 0 {
		o.PerConnection = d.PerConnection
	}
	if o.PerCaller <= 0 {
		o.PerCaller = d.PerCaller
	}
	if o.Buffer <= 0 {
		o.Buffer = d.Buffer
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = d.WriteTimeout
	}
	return o
}

// Subscriptions serves graphql-transport-ws on WebSocket upgrades of
// /data/{tenant}/graphql and hands every other request to next (the DataHandler).
// Each call makes its own set of watchers on the event bus: call it once.
func (g *Graph) Subscriptions(opts SubscriptionOptions, next http.Handler) http.Handler {
	opts = opts.withDefaults()
	h := &changeHub{watches: map[string]map[*changeWatch]struct{}{}, callers: map[string]int{}, buffer: opts.Buffer}
	if g.svc.Events != nil {
		g.svc.Events.Subscribe(TopicRecordChanged, h.deliver)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		g.serveSocket(w, r, h, opts)
	})
}

func isUpgrade(r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	for _, v := range r.Header.Values("Connection") {
		for _, tok := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
				return true
			}
		}
	}
	return false
}

// serveSocket answers what can be refused before the upgrade (unknown tenant, bad
// Authorization header, rate) over HTTP, then runs the connection.
func (g *Graph) serveSocket(w http.ResponseWriter, r *http.Request, h *changeHub, opts SubscriptionOptions) {
	code := r.PathValue("tenant")
	if _, err := g.dataAPI(code); err != nil {
		writeJSON(w, http.StatusNotFound, errorResponse(err))
		return
	}
	ctx, ok := g.admitted(w, r, false)
	if !ok {
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{WSProtocol}})
	if err != nil {
		return // Accept has answered
	}
	ws.SetReadLimit(g.limits.MaxBodyBytes)
	// After the hijack the request's context is not ours to rely on; its values are.
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &socket{g: g, hub: h, opts: opts, ws: ws, tenant: code, caller: CallerFrom(ctx),
		ctx: base, cancel: cancel, out: make(chan []byte, opts.Buffer), ops: map[string]context.CancelFunc{}}
	c.run()
}

// message is one graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// socket is one graphql-transport-ws connection.
type socket struct {
	g      *Graph
	hub    *changeHub
	opts   SubscriptionOptions
	ws     *websocket.Conn
	tenant string
	// ctx ends when the connection closes; every operation runs under it.
	ctx    context.Context
	cancel context.CancelFunc
	out    chan []byte

	initialised atomic.Bool
	acked       bool
	closing     sync.Once

	mu     sync.Mutex
	caller *Caller
	ops    map[string]context.CancelFunc
}

func (c *socket) run() {
	defer c.cancel()
	if c.ws.Subprotocol() != WSProtocol {
		c.close(CloseBadProtocol, "Subprotocol not acceptable")
		return
	}
	go c.write()
	timer := time.AfterFunc(c.opts.InitTimeout, func() {
		if !c.initialised.Load() {
			c.close(CloseInitTimeout, "Connection initialisation timeout")
		}
	})
	defer timer.Stop()
	for {
		// Read stops when close has shaken hands or the peer went away.
		typ, b, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		var m message
		if typ != websocket.MessageText || json.Unmarshal(b, &m) != nil || m.Type == "" {
			c.close(CloseBadRequest, "Invalid message received")
			return
		}
		if !c.handle(m) {
			return
		}
	}
}

// close ends the connection with code, once; the operations stop with it. The
// close handshake comes first: cancelling a write would drop the connection
// without its code.
func (c *socket) close(code websocket.StatusCode, reason string) {
	c.closing.Do(func() {
		_ = c.ws.Close(code, reason)
		c.cancel()
	})
}

// write sends queued messages in order, each within the write timeout.
func (c *socket) write() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case b := <-c.out:
			ctx, cancel := context.WithTimeout(context.Background(), c.opts.WriteTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				go c.close(CloseTooSlow, "a message could not be sent in time")
				return
			}
		}
	}
}

// send queues a message; a client whose queue is full is dropped rather than
// waited for.
func (c *socket) send(m message) {
	b, err := json.Marshal(m)
	if err != nil {
		go c.close(CloseInternalError, "Internal server error")
		return
	}
	select {
	case <-c.ctx.Done():
	case c.out <- b:
	default:
		go c.close(CloseTooSlow, "too slow: messages were not read")
	}
}

func (c *socket) sendErrors(id string, errs []gqlerrors.FormattedError) {
	b, _ := json.Marshal(errs)
	c.send(message{ID: id, Type: "error", Payload: b})
}

// handle acts on one message; false ends the connection.
func (c *socket) handle(m message) bool {
	switch m.Type {
	case "connection_init":
		if c.initialised.Swap(true) {
			c.close(CloseTooManyInits, "Too many initialisation requests")
			return false
		}
		if err := c.signIn(m.Payload); err != nil {
			c.close(CloseForbidden, "Forbidden: "+truncate(err.Error(), 100))
			return false
		}
		c.acked = true
		c.send(message{Type: "connection_ack"})
	case "ping":
		c.send(message{Type: "pong"})
	case "pong":
	case "subscribe":
		if !c.acked {
			c.close(CloseUnauthorized, "Unauthorized")
			return false
		}
		var req Request
		if m.ID == "" || json.Unmarshal(m.Payload, &req) != nil || strings.TrimSpace(req.Query) == "" {
			c.close(CloseBadRequest, "Invalid message received")
			return false
		}
		return c.subscribe(m.ID, req)
	case "complete":
		if m.ID == "" {
			c.close(CloseBadRequest, "Invalid message received")
			return false
		}
		c.mu.Lock()
		if cancel, ok := c.ops[m.ID]; ok {
			cancel()
			delete(c.ops, m.ID)
		}
		c.mu.Unlock()
	default:
		c.close(CloseBadRequest, "Invalid message received")
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// signIn takes the credential of connection_init, {"Authorization": "Bearer …"} or
// {"token": "…"}, over the upgrade's Authorization header.
func (c *socket) signIn(payload json.RawMessage) error {
	var p map[string]any
	if len(payload) > 0 && string(payload) != "null" {
		if err := json.Unmarshal(payload, &p); err != nil {
			return apierr.New(apierr.BadRequest, "payload must be an object")
		}
	}
	var tok string
	for k, v := range p {
		if s, ok := v.(string); ok && (strings.EqualFold(k, "authorization") || k == "token") {
			tok = strings.TrimSpace(strings.TrimPrefix(s, "Bearer "))
		}
	}
	if tok == "" {
		return nil
	}
	pr, err := c.g.svc.Identity.Authenticate(c.ctx, tok)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.caller = &Caller{Principal: pr, Authenticated: true, IP: c.caller.IP, Token: tok}
	c.mu.Unlock()
	return nil
}

// subscribe starts subscription id, which streams until it fails, the client
// completes it or the connection closes.
func (c *socket) subscribe(id string, req Request) bool {
	c.mu.Lock()
	_, dup := c.ops[id]
	n := len(c.ops)
	caller := c.caller
	c.mu.Unlock()
	if dup {
		c.close(CloseDuplicateID, "Subscriber for "+truncate(id, 80)+" already exists")
		return false
	}
	refuse := func(e *apierr.Error) bool {
		c.sendErrors(id, []gqlerrors.FormattedError{formatted(e)})
		return true
	}
	if n >= c.opts.PerConnection {
		return refuse(apierr.New(apierr.RateLimited, "at most %d operations may run on one connection", c.opts.PerConnection))
	}
	if _, ok := c.g.admit(caller); !ok {
		return refuse(apierr.New(apierr.RateLimited, "too many requests; try again later"))
	}
	api, err := c.g.dataAPI(c.tenant)
	if err != nil {
		return refuse(apierr.New(apierr.NotFound, "no tenant with code %q", c.tenant))
	}
	doc, errs := c.g.prepareIn(&api.schema, api.docs, req.Query)
	if errs != nil {
		c.sendErrors(id, errs)
		return true
	}
	op := operation(doc, req.OperationName)
	if op == nil {
		return refuse(apierr.New(apierr.BadRequest, "no operation named %q", req.OperationName))
	}
	if op.Operation != ast.OperationTypeSubscription {
		// Queries and mutations go by POST, where the data API's limits apply.
		return refuse(apierr.New(apierr.BadRequest, "this socket carries subscriptions; send queries and mutations by POST"))
	}
	if len(op.SelectionSet.Selections) != 1 {
		return refuse(apierr.New(apierr.ValidationFailed, "a subscription selects exactly one field"))
	}
	key := opsKey(caller)
	if !c.hub.reserve(key, c.opts.PerCaller) {
		return refuse(apierr.New(apierr.RateLimited, "at most %d operations may run for one user", c.opts.PerCaller))
	}
	ctx, cancel := context.WithCancel(WithCaller(c.ctx, caller))
	c.mu.Lock()
	c.ops[id] = cancel
	c.mu.Unlock()
	// The next message is read once the subscription watches (or has failed), so a
	// client's ping after subscribe is answered when its changes are being watched.
	s := &subscriber{c: c, caller: caller, ready: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.stream(ctx, id, key, s, api.schema, doc, req)
	}()
	select {
	case <-s.ready:
	case <-done:
	}
	return true
}

// stream relays a subscription's results until it ends. graphql-go's executor
// blocks on its channel, so it is read to the end even after a cancel.
func (c *socket) stream(ctx context.Context, id, key string, s *subscriber, schema graphql.Schema, doc *ast.Document, req Request) {
	defer c.hub.release(key)
	results := graphql.ExecuteSubscription(graphql.ExecuteParams{
		Schema: schema, AST: doc, OperationName: req.OperationName, Args: req.Variables, Context: withSubscriber(ctx, s),
	})
	failed := false
	for res := range results {
		if ctx.Err() != nil {
			continue
		}
		codeErrors(res)
		if res.Data == nil && len(res.Errors) > 0 {
			c.sendErrors(id, res.Errors)
			failed = true
			continue
		}
		b, err := json.Marshal(res)
		if err != nil {
			c.g.log.ErrorContext(ctx, "subscription: encoding a result failed", "err", err)
			continue
		}
		c.send(message{ID: id, Type: "next", Payload: b})
	}
	if c.finish(id, ctx) && !failed {
		c.send(message{ID: id, Type: "complete"})
	}
}

// finish forgets operation id if ctx is still its own, and reports whether it was:
// an operation the client completed gets no complete message.
func (c *socket) finish(id string, ctx context.Context) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	cancel, ok := c.ops[id]
	if !ok || ctx.Err() != nil {
		return false
	}
	delete(c.ops, id)
	cancel()
	return true
}

func opsKey(c *Caller) string {
	if c.Authenticated {
		return "u:" + c.Principal.Username
	}
	return "ip:" + c.IP
}

// operation is the document's operation named name, or its only one.
func operation(doc *ast.Document, name string) *ast.OperationDefinition {
	var found *ast.OperationDefinition
	for _, d := range doc.Definitions {
		od, ok := d.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		if name == "" {
			if found != nil {
				return nil
			}
			found = od
		} else if od.Name != nil && od.Name.Value == name {
			return od
		}
	}
	return found
}
