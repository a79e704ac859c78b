package host_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// floorEnv makes the test binary a floor server (see BenchmarkTransportFloor).
const floorEnv = "GDBOS_HOST_FLOOR_SERVE"

// serveFloor runs a floor server when the test binary was started as one: "grpc"
// serves grpc-go's own health service, "socket" echoes bytes; both on the unix
// socket named after the mode, until killed.
func serveFloor() {
	mode, sock := os.Getenv(floorEnv), os.Getenv(floorEnv+"_SOCKET")
	l, err := net.Listen("unix", sock)
	if err != nil {
		os.Exit(2)
	}
	if mode == "grpc" {
		s := grpc.NewServer()
		healthpb.RegisterHealthServer(s, health.NewServer())
		_ = s.Serve(l)
		return
	}
	c, err := l.Accept()
	if err != nil {
		os.Exit(2)
	}
	buf := make([]byte, 256)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// startFloor starts this test binary as a floor server in its own process and
// returns its socket.
func startFloor(b *testing.B, mode string) string {
	b.Helper()
	sock := filepath.Join(b.TempDir(), mode+".sock")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), floorEnv+"="+mode, floorEnv+"_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 200 {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("the %s floor server did not listen", mode)
	return ""
}

// BenchmarkTransportFloor measures, beside the plugin round trip, what this machine
// gives any two processes: "grpc" is grpc-go's own unary health check over a unix
// socket without TLS (the least a call over gRPC costs), "socket" 32 bytes there and
// back over a bare unix socket. Run together, so that their medians compare:
//
//	cd sdk && go test -run '^$' -bench 'TransportFloor' -benchtime 3000x ./host/
func BenchmarkTransportFloor(b *testing.B) {
	b.Run("plugin", BenchmarkRoundTrip)
	b.Run("grpc", func(b *testing.B) {
		cc, err := grpc.NewClient("unix://"+startFloor(b, "grpc"), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer cc.Close()
		h := healthpb.NewHealthClient(cc)
		ctx := context.Background()
		if _, err := h.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			b.Fatal(err)
		}
		ds := make([]time.Duration, 0, b.N)
		for b.Loop() {
			t0 := time.Now()
			if _, err := h.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
		}
		median(b, ds)
	})
	b.Run("socket", func(b *testing.B) {
		c, err := net.Dial("unix", startFloor(b, "socket"))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		msg, buf := make([]byte, 32), make([]byte, 32)
		ds := make([]time.Duration, 0, b.N)
		for b.Loop() {
			t0 := time.Now()
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			for n := 0; n < len(msg); {
				m, err := c.Read(buf[n:])
				if err != nil {
					b.Fatal(err)
				}
				n += m
			}
			ds = append(ds, time.Since(t0))
		}
		median(b, ds)
	})
}
