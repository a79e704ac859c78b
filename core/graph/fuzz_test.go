package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// FuzzHandler sends arbitrary bodies, signed in as the superadmin, and checks that
// the endpoint never panics, always answers JSON, and gives every error a code.
func FuzzHandler(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{tenant(code:\"230100\"){code name children{code}}}"}`,
		`{"query":"{tenants(first:3,after:\"230100\"){edges{cursor node{code}} pageInfo{hasNextPage endCursor}}}"}`,
		`{"query":"query($k:String!){resources(kind:$k,tenant:\"230000\"){totalCount}}","variables":{"k":"Module"}}`,
		`{"query":"mutation($y:String!){applyResources(yaml:$y,dryRun:true){op}}","variables":{"y":"kind: Module\nmetadata: {tenant: \"230100\", name: x}\nspec: {enabled: 1}"}}`,
		`{"query":"{explainResource(kind:\"Module\",tenant:\"230102\",name:\"catalog\"){path}}"}`,
		`{"query":"{auditEntries(first:-1){totalCount}}"}`,
		`{"query":"{resourceHistory(kind:\"Module\",tenant:\"230100\",name:\"x\",after:\"zz\"){totalCount}}"}`,
		`{"query":"fragment F on Tenant{children{...F}} {tenant(code:\"230000\"){...F}}"}`,
		`{"query":"{`, `not json`, `{"query":""}`, `{"query":"{me{username}}","extra":1}`, `[]`, `{"query":null}`,
	} {
		f.Add([]byte(seed))
	}
	s := kerneltest.Start(f, kerneltest.Options{})
	token := s.Admin(f)
	h := s.K.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		var res struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("answer is not JSON for %q: %s", body, rec.Body.String())
		}
		for _, e := range res.Errors {
			if code, _ := e.Extensions["code"].(string); code == "" {
				t.Fatalf("error without a code for %q: %s", body, rec.Body.String())
			}
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("internal error for %q: %s", body, rec.Body.String())
			}
		}
	})
}
