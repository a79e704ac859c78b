package event_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// recorder collects delivered events.
type recorder struct {
	mu  sync.Mutex
	got []event.Event
	ch  chan event.Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan event.Event, 100)} }

func (r *recorder) handle(_ context.Context, e event.Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
	r.ch <- e
}

func (r *recorder) wait(t *testing.T, within time.Duration) event.Event {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(within):
		t.Fatal("no event delivered")
		return event.Event{}
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func startBus(t *testing.T, s *store.Store, opts event.Options) *event.Bus {
	t.Helper()
	b := event.New(s, opts)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func emit(t *testing.T, s *store.Store, b *event.Bus, topic string, payload any, fail bool) {
	t.Helper()
	boom := errors.New("boom")
	err := s.Tx(context.Background(), func(tx *ent.Tx) error {
		if err := b.Emit(context.Background(), tx, topic, "230100", payload); err != nil {
			return err
		}
		if fail {
			return boom
		}
		return nil
	})
	if fail != errors.Is(err, boom) || (!fail && err != nil) {
		t.Fatalf("tx: %v", err)
	}
	b.Kick()
}

func TestCommittedEventIsDelivered(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		b := startBus(t, s, event.Options{PollInterval: time.Hour})
		rec, other := newRecorder(), newRecorder()
		b.Subscribe("identity.", rec.handle)
		b.Subscribe("tenant.", other.handle)
		emit(t, s, b, "identity.user.created", map[string]any{"username": "alice"}, false)
		e := rec.wait(t, time.Second)
		if e.Topic != "identity.user.created" || e.Tenant != "230100" || e.ID == 0 || e.Time.IsZero() {
			t.Fatalf("event = %+v", e)
		}
		var p map[string]string
		if err := json.Unmarshal(e.Payload, &p); err != nil || p["username"] != "alice" {
			t.Fatalf("payload = %s (%v)", e.Payload, err)
		}
		if other.count() != 0 {
			t.Fatal("subscriber for another prefix got the event")
		}
	})
}

func TestRolledBackEventIsNotDelivered(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		b := startBus(t, s, event.Options{PollInterval: 10 * time.Millisecond})
		rec := newRecorder()
		b.Subscribe("", rec.handle)
		emit(t, s, b, "x.rolledback", nil, true)
		emit(t, s, b, "x.committed", nil, false)
		if e := rec.wait(t, time.Second); e.Topic != "x.committed" {
			t.Fatalf("got %s, want only the committed event", e.Topic)
		}
		time.Sleep(50 * time.Millisecond)
		if n := rec.count(); n != 1 {
			t.Fatalf("delivered %d events, want 1", n)
		}
	})
}

func TestPanickingSubscriberDoesNotStopTheBus(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		b := startBus(t, s, event.Options{})
		b.Subscribe("", func(context.Context, event.Event) { panic("subscriber bug") })
		rec := newRecorder()
		unsubscribe := b.Subscribe("", rec.handle)
		emit(t, s, b, "a.one", 1, false)
		emit(t, s, b, "a.two", 2, false)
		if rec.wait(t, time.Second).Topic != "a.one" || rec.wait(t, time.Second).Topic != "a.two" {
			t.Fatal("events out of order")
		}
		unsubscribe()
		emit(t, s, b, "a.three", 3, false)
		time.Sleep(400 * time.Millisecond)
		if rec.count() != 2 {
			t.Fatal("unsubscribed handler still called")
		}
	})
}

func TestInvalidTopic(t *testing.T) {
	s := storetest.SQLite(t)
	b := event.New(s, event.Options{})
	for _, topic := range []string{"", "a b", "a.*", "a.>", ".a", "a..b"} {
		err := s.Tx(context.Background(), func(tx *ent.Tx) error { return b.Emit(context.Background(), tx, topic, "", nil) })
		if err == nil {
			t.Errorf("topic %q accepted", topic)
		}
	}
}

func TestReplicasOverNATS(t *testing.T) {
	pg, natsURL := os.Getenv(storetest.EnvPostgres), os.Getenv("GDBOS_TEST_NATS")
	if pg == "" || natsURL == "" {
		t.Skip("set " + storetest.EnvPostgres + " and GDBOS_TEST_NATS=nats://127.0.0.1:4222 to run the replica test")
	}
	dbURL := storetest.NewPostgresDB(t, pg)
	subject := "gdbostest_" + randomHex(6)
	t.Cleanup(func() { deleteStream(natsURL, strings.ToUpper(subject)) })
	var buses [2]*event.Bus
	var stores [2]*store.Store
	var recs [2]*recorder
	for i := range 2 {
		s, err := store.Open(context.Background(), store.Config{URL: dbURL})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i], recs[i] = s, newRecorder()
		buses[i] = startBus(t, s, event.Options{NATSURL: natsURL, Subject: subject, Replica: string(rune('a' + i))})
		buses[i].Subscribe("resource.", recs[i].handle)
	}
	for i := range 5 {
		emit(t, stores[0], buses[0], "resource.changed", map[string]int{"n": i}, false)
	}
	for r := range 2 {
		for i := range 5 {
			e := recs[r].wait(t, time.Second)
			var p map[string]int
			if err := json.Unmarshal(e.Payload, &p); err != nil || p["n"] != i || e.Tenant != "230100" || e.ID == 0 {
				t.Fatalf("replica %d event %d = %+v %s", r, i, e, e.Payload)
			}
		}
	}
	time.Sleep(time.Second) // both dispatchers polled meanwhile: nothing may repeat
	for r := range 2 {
		if n := recs[r].count(); n != 5 {
			t.Fatalf("replica %d got %d events, want exactly 5", r, n)
		}
	}
}

// deleteStream removes the test's JetStream stream so tests leave nothing behind.
func deleteStream(url, name string) {
	nc, err := nats.Connect(url)
	if err != nil {
		return
	}
	defer nc.Close()
	if js, err := jetstream.New(nc); err == nil {
		_ = js.DeleteStream(context.Background(), name)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
