package graph

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gdbos/gdbos/core/event"
)

func changeEvent(t *testing.T, ch RecordChange) event.Event {
	t.Helper()
	b, err := json.Marshal(ch)
	if err != nil {
		t.Fatal(err)
	}
	return event.Event{Topic: TopicRecordChanged, Tenant: ch.Tenant, Payload: b}
}

// TestChangeHubNeverBlocks: the hub hands a change only to the watches of its
// entity whose subtree holds it, and drops a watch whose queue is full instead of
// waiting for it.
func TestChangeHubNeverBlocks(t *testing.T) {
	h := &changeHub{watches: map[string]map[*changeWatch]struct{}{}, callers: map[string]int{}}
	watch := func(entity, path string) *changeWatch {
		w := &changeWatch{hub: h, entity: entity, path: path, queue: make(chan RecordChange, 1), slow: func() {}}
		h.add(w)
		return w
	}
	harbin, qiqihar, person := watch("enterprise", "/230000/230100/"), watch("enterprise", "/230000/230200/"), watch("person", "/230000/")
	daoli := RecordChange{Entity: "enterprise", Tenant: "230102", Path: "/230000/230100/230102/", ID: 1, Op: "create", Version: 1}
	h.deliver(context.Background(), changeEvent(t, daoli))
	if got := <-harbin.queue; got != daoli {
		t.Fatalf("harbin got %+v", got)
	}
	if len(qiqihar.queue) != 0 || len(person.queue) != 0 {
		t.Fatal("a change reached a watch of another subtree or entity")
	}
	// Three changes into a queue of one: the hub does not wait, it drops the watch once.
	for range 3 {
		h.deliver(context.Background(), changeEvent(t, daoli))
	}
	if !harbin.dropped.Load() {
		t.Fatal("the full watch was not dropped")
	}
	harbin.stop()
	qiqihar.stop()
	person.stop()
	if len(h.watches) != 0 {
		t.Fatalf("stopped watches remain: %v", h.watches)
	}
}

func TestChangeHubLimitsPerCaller(t *testing.T) {
	h := &changeHub{watches: map[string]map[*changeWatch]struct{}{}, callers: map[string]int{}}
	first, second, third := h.reserve("u:a", 2), h.reserve("u:a", 2), h.reserve("u:a", 2)
	if !first || !second || third {
		t.Fatal("the third operation of a user with limit 2 was admitted, or an earlier one refused")
	}
	if !h.reserve("u:b", 2) {
		t.Fatal("another user was refused")
	}
	h.release("u:a")
	if !h.reserve("u:a", 2) {
		t.Fatal("a released place was not given again")
	}
}
