package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gdbos/gdbos/core/apierr"
)

// credentials are what gdbos login keeps between commands.
type credentials struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

func credentialsPath() (string, error) {
	if p := os.Getenv("GDBOS_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config folder: %w (set GDBOS_CONFIG)", err)
	}
	return filepath.Join(dir, "gdbos", "credentials.json"), nil
}

// loadCredentials reads the saved credentials; server, when set, overrides
// $GDBOS_SERVER, which overrides the saved server.
func loadCredentials(server string) credentials {
	var c credentials
	if p, err := credentialsPath(); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, &c) // a broken file means: not signed in
		}
	}
	if server == "" {
		server = os.Getenv("GDBOS_SERVER")
	}
	if server != "" && strings.TrimRight(server, "/") != strings.TrimRight(c.Server, "/") {
		// The saved token was issued by another server: never send it elsewhere.
		c = credentials{Server: server}
	}
	if v := os.Getenv("GDBOS_TOKEN"); v != "" {
		c.Token = v
	}
	if c.Server == "" {
		c.Server = "http://127.0.0.1:8080"
	}
	return c
}

func saveCredentials(c credentials) error {
	p, err := credentialsPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return os.WriteFile(p, b, 0o600)
}

// client talks GraphQL to a running server.
type client struct {
	server string
	token  string
	http   *http.Client
	// path is the GraphQL endpoint: /graphql, or a tenant's data API.
	path string
}

func newClient(cmd *cobra.Command) *client {
	s, _ := cmd.Flags().GetString("server")
	c := loadCredentials(s)
	return &client{server: strings.TrimRight(c.Server, "/"), token: c.Token, http: &http.Client{Timeout: 5 * time.Minute}}
}

// callError is an error the server reported, with its code and field paths.
type callError struct {
	Code    apierr.Code
	Message string
	Fields  []apierr.FieldError
}

func (e *callError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", e.Message, e.Code)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.Message)
	}
	return b.String()
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code   apierr.Code         `json:"code"`
			Fields []apierr.FieldError `json:"fields"`
		} `json:"extensions"`
	} `json:"errors"`
}

// do runs a query and decodes data into out.
func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.server+cmp.Or(c.path, "/graphql"), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w (is gdbos serve running?)", c.server, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("server answered %s, not GraphQL JSON", res.Status)
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		ce := &callError{Code: e.Extensions.Code, Message: e.Message, Fields: e.Extensions.Fields}
		if ce.Code == "" {
			ce.Code = apierr.BadRequest
		}
		if len(ce.Fields) > 0 {
			ce.Message, _, _ = strings.Cut(ce.Message, ": ") // fields are listed below instead
		}
		return ce
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("unexpected answer: %w", err)
	}
	return nil
}

var errNoToken = errors.New("not signed in: run gdbos login")
