// Command notify is a GDBOS reference plugin standing in for an SMS gateway: it
// turns kernel events into notifications, keeps them in its own store (a JSON-lines
// file in its data directory) and serves them through a GraphQL field.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gdbos/gdbos/sdk"
)

// Notification is one message the gateway would have sent.
type Notification struct {
	ID      int    `json:"id"`
	Tenant  string `json:"tenant"`
	Topic   string `json:"topic"`
	Message string `json:"message"`
	At      string `json:"at"`
}

// store appends notifications to a file and keeps them in memory.
type store struct {
	mu   sync.Mutex
	path string
	all  []Notification
}

func (s *store) open(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.path = filepath.Join(dir, "notifications.jsonl")
	f, err := os.Open(s.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var n Notification
		if json.Unmarshal(sc.Bytes(), &n) == nil {
			s.all = append(s.all, n)
		}
	}
	return sc.Err()
}

func (s *store) add(n Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path == "" {
		return fmt.Errorf("notify: the store is not open")
	}
	n.ID = len(s.all) + 1
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(s.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	s.all = append(s.all, n)
	return nil
}

// latest returns up to n notifications of tenant, newest first.
func (s *store) latest(tenant string, n int) []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Notification{}
	for i := len(s.all) - 1; i >= 0 && len(out) < n; i-- {
		if s.all[i].Tenant == tenant {
			out = append(out, s.all[i])
		}
	}
	return out
}

// message words an event for a person.
func message(e sdk.Event) string {
	var change struct {
		Kind, Name, Op string
		Version        int
	}
	if e.Topic == "resource.changed" && json.Unmarshal(e.Payload, &change) == nil && change.Kind != "" {
		return fmt.Sprintf("配置变更: %s %s %s (版本 %d)", change.Kind, change.Name, change.Op, change.Version)
	}
	return "事件: " + e.Topic
}

const sdl = `
type NotifyQuery {
  "The latest notifications sent for this tenant, newest first."
  notifications(last: Int): [NotifyNotification!]!
}
type NotifyNotification {
  id: Int!
  tenant: String!
  topic: String!
  message: String!
  at: String!
}
`

// New returns the plugin over a store.
func New(s *store) sdk.Plugin {
	return sdk.Plugin{
		Manifest: sdk.Manifest{ID: "notify", Version: "1.0.0", Name: "短信通知", Description: "Notifications from kernel events."},
		Setup:    func(_ context.Context, env sdk.Env) error { return s.open(env.DataDir) },
		Events: map[string]sdk.EventHandler{
			"resource.": func(_ context.Context, e sdk.Event) error {
				return s.add(Notification{Tenant: e.Tenant, Topic: e.Topic, Message: message(e), At: e.Time.Format(time.RFC3339)})
			},
		},
		GraphQL: &sdk.GraphQLExtension{SDL: sdl, Resolvers: map[string]sdk.Resolver{
			"notifications": func(_ context.Context, r sdk.FieldRequest) (any, error) {
				n := 20
				if v, ok := r.Args["last"].(float64); ok {
					n = int(v)
				}
				if n < 1 || n > 500 {
					return nil, sdk.Errorf("BAD_REQUEST", "last must be between 1 and 500")
				}
				return s.latest(r.Tenant, n), nil
			},
		}},
	}
}

func main() { sdk.Serve(New(&store{})) }
