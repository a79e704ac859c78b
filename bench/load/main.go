// Command load sends one GraphQL request over and over from concurrent clients on
// loopback and reports throughput and latency percentiles. It stops after -d or -n,
// whichever comes first.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	token := flag.String("token", os.Getenv("GDBOS_TOKEN"), "bearer token")
	query := flag.String("query", `{tenant(code:"230100"){children{code name}}}`, "query to send")
	clients := flag.Int("c", 16, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	maxReq := flag.Int64("n", 2_000_000, "stop after this many requests")
	warm := flag.Duration("warmup", time.Second, "warm-up not counted")
	expect := flag.String("expect", "", "fail if an answer lacks this text")
	flag.Parse()

	body, _ := json.Marshal(map[string]string{"query": *query})
	tr := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var sent, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(*warm + *dur)
	countFrom := time.Now().Add(*warm)
	var wg sync.WaitGroup
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<16)
			for time.Now().Before(deadline) && sent.Load() < *maxReq {
				req, _ := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if *token != "" {
					req.Header.Set("Authorization", "Bearer "+*token)
				}
				start := time.Now()
				res, err := cl.Do(req)
				ok := err == nil
				if ok {
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					ok = res.StatusCode == 200 && !bytes.Contains(b, []byte(`"errors"`)) && (*expect == "" || bytes.Contains(b, []byte(*expect)))
				}
				if start.Before(countFrom) {
					continue
				}
				sent.Add(1)
				if !ok {
					failed.Add(1)
					continue
				}
				local = append(local, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	elapsed := min(*dur, time.Since(countFrom))
	fmt.Printf("requests=%d failed=%d clients=%d duration=%s rps=%.0f p50=%s p90=%s p99=%s max=%s\n",
		sent.Load(), failed.Load(), *clients, elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(),
		pct(.50), pct(.90), pct(.99), pct(1))
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
