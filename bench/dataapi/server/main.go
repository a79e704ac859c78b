// Command server runs the kernel as `gdbos serve --demo` does, with the demo tenants
// but without the standard entity schemas, whose enterprise and licence would take
// the names of the benchmark's entities (bench/dataapi/schemas.yaml). It loads no
// modules: the data API does not depend on them.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18099", "address to listen on")
	data := flag.String("data", "./gdbos-bench-data", "data folder for embedded SQLite")
	database := flag.String("database", "", "PostgreSQL URL (empty: embedded SQLite)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until the server stops")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as gdbos serve
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	k, err := kernel.New(ctx, kernel.Config{DataDir: *data, DatabaseURL: *database, Demo: true,
		AdminPassword: os.Getenv("GDBOS_ADMIN_PASSWORD"), Logger: logger,
		Limits: graph.Limits{TokenRate: -1, AnonymousRate: -1}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	if err := k.Start(ctx); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: k.Handler()}
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Print(err)
	}
}
