package ratelimit

import (
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(2, 4)
	for i := range 4 {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("after the burst: ok=%v wait=%v, want refused for 500ms", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key has its own bucket")
	}
	if ok, _ := l.Allow("a", now.Add(500*time.Millisecond)); !ok {
		t.Fatal("a token is back after 1/rate")
	}
	var off *Limiter
	if ok, _ := off.Allow("a", now); !ok {
		t.Fatal("a nil limiter allows")
	}
	if ok, _ := New(0, 0).Allow("a", now); !ok {
		t.Fatal("a zero rate allows")
	}
}

func TestIdleBucketsAreDropped(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(1, 1)
	l.Allow("old", now)
	l.Allow("new", now.Add(10*time.Minute))
	if _, ok := l.b["old"]; ok {
		t.Fatal("an idle bucket survived the sweep")
	}
}
