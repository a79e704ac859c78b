package graph

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
)

// Request is a GraphQL-over-HTTP request.
type Request struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// Response is what the endpoint answers.
type Response struct {
	Data   any                        `json:"data,omitempty"`
	Errors []gqlerrors.FormattedError `json:"errors,omitempty"`
}

// ServeHTTP answers POST (queries and mutations) and GET (queries only) on /graphql.
func (g *Graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.serve(w, r, g.answer)
}

// serve reads, authenticates and rate-limits a request, then hands it to answer; a
// panic anywhere is an internal error, never a dead server.
func (g *Graph) serve(w http.ResponseWriter, r *http.Request, answer func(ctx context.Context, w http.ResponseWriter, req Request, readOnly bool)) {
	defer func() {
		if v := recover(); v != nil {
			g.log.ErrorContext(r.Context(), "graphql handler panicked", slog.Any("panic", v))
			writeJSON(w, http.StatusInternalServerError, errorResponse(apierr.New(apierr.Internal, "internal error")))
		}
	}()
	req, status, err := g.readRequest(w, r)
	if err != nil {
		writeJSON(w, status, errorResponse(err))
		return
	}
	ctx, ok := g.admitted(w, r, false)
	if !ok {
		return
	}
	answer(ctx, w, req, r.Method == http.MethodGet)
}

// admitted authenticates r (refusing anonymous callers when signedIn is set) and
// applies the caller's rate limit; on a refusal it has answered and ok is false.
func (g *Graph) admitted(w http.ResponseWriter, r *http.Request, signedIn bool) (ctx context.Context, ok bool) {
	ctx, status, err := g.authenticate(r)
	if err == nil && signedIn && !CallerFrom(ctx).Authenticated {
		status, err = http.StatusUnauthorized, requireCaller(ctx)
	}
	if err != nil {
		writeJSON(w, status, errorResponse(err))
		return nil, false
	}
	if wait, ok := g.admit(CallerFrom(ctx)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeJSON(w, http.StatusTooManyRequests, errorResponse(apierr.New(apierr.RateLimited, "too many requests; try again in %s", wait.Round(time.Millisecond))))
		return nil, false
	}
	return ctx, true
}

// answer runs the request, or writes a kept answer when one may be reused.
func (g *Graph) answer(ctx context.Context, w http.ResponseWriter, req Request, readOnly bool) {
	key := ""
	if doc, errs := g.prepare(req.Query); errs == nil {
		key = g.answerKey(ctx, doc, req)
	}
	if key != "" {
		if b, ok := g.answers.get(key); ok {
			writeBytes(w, b)
			return
		}
	}
	res := g.execute(ctx, req, readOnly)
	if key == "" || len(res.Errors) > 0 {
		writeJSON(w, http.StatusOK, res)
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		writeJSON(w, http.StatusOK, errorResponse(err))
		return
	}
	b = append(b, '\n')
	g.answers.put(key, b)
	writeBytes(w, b)
}

func (g *Graph) readRequest(w http.ResponseWriter, r *http.Request) (Request, int, error) {
	var req Request
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.Query = q.Get("query")
		req.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				return req, http.StatusBadRequest, apierr.New(apierr.BadRequest, "variables must be a JSON object: %v", err)
			}
		}
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.limits.MaxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return req, http.StatusRequestEntityTooLarge, apierr.New(apierr.BadRequest, "request body is larger than %d bytes", g.limits.MaxBodyBytes)
			}
			return req, http.StatusBadRequest, apierr.New(apierr.BadRequest, "reading the request body failed")
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, http.StatusBadRequest, apierr.New(apierr.BadRequest, "body must be JSON {query, variables, operationName}: %v", err)
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		return req, http.StatusMethodNotAllowed, apierr.New(apierr.BadRequest, "use GET or POST")
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, http.StatusBadRequest, apierr.New(apierr.BadRequest, "query is empty")
	}
	return req, 0, nil
}

// admit applies the rate limit of the caller's token, or of its address when it
// has none.
func (g *Graph) admit(c *Caller) (time.Duration, bool) {
	now := time.Now()
	if c.Authenticated {
		key := "s" + strconv.Itoa(c.Principal.SessionID)
		if c.Principal.TokenID != 0 {
			key = "t" + strconv.Itoa(c.Principal.TokenID)
		}
		ok, wait := g.byToken.Allow(key, now)
		return wait, ok
	}
	ok, wait := g.byAddress.Allow(c.IP, now)
	return wait, ok
}

// authenticate resolves the bearer token, if any. A bad token is an error, not an
// anonymous request: the client believes it is signed in.
func (g *Graph) authenticate(r *http.Request) (context.Context, int, error) {
	c := &Caller{IP: ClientIP(r)}
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, http.StatusUnauthorized, apierr.New(apierr.Unauthenticated, "Authorization must be \"Bearer <token>\"")
		}
		p, err := g.svc.Identity.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			if e, ok := apierr.As(err); ok {
				return nil, http.StatusUnauthorized, e
			}
			g.log.ErrorContext(r.Context(), "authenticate failed", slog.Any("err", err))
			return nil, http.StatusInternalServerError, apierr.New(apierr.Internal, "internal error")
		}
		c.Principal, c.Authenticated, c.Token = p, true, strings.TrimSpace(tok)
	}
	return WithCaller(r.Context(), c), 0, nil
}

// Do runs one request as the caller in ctx.
func (g *Graph) Do(ctx context.Context, req Request) *graphql.Result {
	return g.execute(ctx, req, false)
}

func (g *Graph) execute(ctx context.Context, req Request, readOnly bool) *graphql.Result {
	return g.executeOn(ctx, &g.schema, g.docs, req, readOnly)
}

// executeOn runs a request against one schema, whose parsed queries docs keeps: the
// kernel's, or a tenant's data API.
func (g *Graph) executeOn(ctx context.Context, schema *graphql.Schema, docs *lru[prepared], req Request, readOnly bool) *graphql.Result {
	doc, errs := g.prepareIn(schema, docs, req.Query)
	if errs != nil {
		return &graphql.Result{Errors: errs}
	}
	if readOnly && hasMutation(doc, req.OperationName) {
		return &graphql.Result{Errors: []gqlerrors.FormattedError{formatted(apierr.New(apierr.BadRequest, "mutations need POST"))}}
	}
	res := graphql.Execute(graphql.ExecuteParams{
		Schema: *schema, AST: doc, OperationName: req.OperationName, Args: req.Variables, Context: ctx,
	})
	codeErrors(res)
	return res
}

// codeErrors gives a code to the errors graphql-go raises itself: before execution
// (variables that do not fit their types) they are the caller's; during it (a null
// in a non-null field) they are ours.
func codeErrors(res *graphql.Result) {
	for i, e := range res.Errors {
		if _, ok := e.Extensions["code"]; ok {
			continue
		}
		code := apierr.Internal
		if res.Data == nil {
			code = apierr.ValidationFailed
		}
		res.Errors[i].Extensions = map[string]any{"code": string(code)}
	}
}

// prepare parses and validates a query once per text; later calls hit the cache.
func (g *Graph) prepare(query string) (*ast.Document, []gqlerrors.FormattedError) {
	return g.prepareIn(&g.schema, g.docs, query)
}

func (g *Graph) prepareIn(schema *graphql.Schema, docs *lru[prepared], query string) (*ast.Document, []gqlerrors.FormattedError) {
	if d, ok := docs.get(query); ok {
		return d.doc, d.errs
	}
	d := g.parseAndValidate(schema, query)
	docs.put(query, d)
	return d.doc, d.errs
}

func (g *Graph) parseAndValidate(schema *graphql.Schema, query string) prepared {
	doc, err := parseQuery(query)
	if err != nil {
		return prepared{errs: gqlerrors.FormatErrors(withCode(err, apierr.BadRequest))}
	}
	if depth := maxDepth(doc); depth > g.limits.MaxDepth {
		return prepared{errs: []gqlerrors.FormattedError{formatted(apierr.New(apierr.BadRequest, "query is %d levels deep; at most %d allowed", depth, g.limits.MaxDepth))}}
	}
	if name := untypedVariable(doc); name != "" {
		return prepared{errs: []gqlerrors.FormattedError{formatted(apierr.New(apierr.BadRequest, "variable $%s has no type", name))}}
	}
	vr, ok := g.validate(schema, doc)
	if !ok {
		return prepared{errs: []gqlerrors.FormattedError{formatted(apierr.New(apierr.BadRequest, "the query could not be validated"))}}
	}
	if !vr.IsValid {
		for i := range vr.Errors {
			vr.Errors[i].Extensions = map[string]any{"code": string(apierr.ValidationFailed)}
		}
		return prepared{errs: vr.Errors}
	}
	return prepared{doc: doc}
}

// validate runs graphql-go's validation, which has crashed on documents its own
// parser accepted: a crash is reported as a bad request, never a dead server.
func (g *Graph) validate(schema *graphql.Schema, doc *ast.Document) (vr graphql.ValidationResult, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			g.log.Warn("graphql validation panicked", slog.Any("panic", v))
			ok = false
		}
	}()
	return graphql.ValidateDocument(schema, doc, nil), true
}

// untypedVariable names a variable declared without a type (graphql-go's parser
// accepts "query($a:)"), or returns "".
func untypedVariable(doc *ast.Document) string {
	for _, d := range doc.Definitions {
		if od, ok := d.(*ast.OperationDefinition); ok {
			for _, v := range od.VariableDefinitions {
				if v.Type == nil {
					if v.Variable != nil && v.Variable.Name != nil {
						return v.Variable.Name.Value
					}
					return "?"
				}
			}
		}
	}
	return ""
}

func withCode(err error, code apierr.Code) error {
	fe := gqlerrors.FormatError(err)
	fe.Extensions = map[string]any{"code": string(code)}
	return fe
}

func hasMutation(doc *ast.Document, op string) bool {
	for _, d := range doc.Definitions {
		od, ok := d.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		if op != "" && (od.Name == nil || od.Name.Value != op) {
			continue
		}
		if od.Operation != ast.OperationTypeQuery {
			return true
		}
	}
	return false
}

func errorResponse(err error) Response {
	e, ok := apierr.As(err)
	if !ok {
		e = apierr.New(apierr.Internal, "internal error")
	}
	return Response{Errors: []gqlerrors.FormattedError{formatted(e)}}
}

// formatted is an error outside any field, with its code.
func formatted(e *apierr.Error) gqlerrors.FormattedError {
	return gqlerrors.FormattedError{Message: e.Error(), Extensions: gqlError{e}.Extensions()}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// An encoding error means the client went away; nothing is left to tell it.
	_ = json.NewEncoder(w).Encode(v)
}

func writeBytes(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// ClientIP is the address a request came from, without its port.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
