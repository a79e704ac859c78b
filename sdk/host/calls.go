package host

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gdbos/gdbos/sdk/internal/proto"
)

// maxIdleStreams is how many call streams a Client keeps open between calls; more
// concurrent callers open more, closed when their call ends.
const maxIdleStreams = 64

// callStream is one Calls stream, used by one caller at a time.
type callStream struct {
	s      grpc.BidiStreamingClient[proto.CallRequest, proto.CallResponse]
	cancel context.CancelFunc
}

func (cs *callStream) close() {
	_ = cs.s.CloseSend()
	cs.cancel()
}

// streams are a connection's idle call streams (protocol version 2, ADR 28). A call
// takes one, sends its request, reads its answer and puts it back: no gRPC stream is
// set up per call, and no goroutine sits between the caller and its answer.
type streams struct {
	open func(ctx context.Context) (grpc.BidiStreamingClient[proto.CallRequest, proto.CallResponse], error)
	mu   sync.Mutex
	idle []*callStream
}

func (p *streams) take() (cs *callStream, reused bool, err error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		cs = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return cs, true, nil
	}
	p.mu.Unlock()
	// The stream outlives the call that opens it: its context is its own, cancelled
	// when a call on it is abandoned or it is closed.
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.open(ctx)
	if err != nil {
		cancel()
		return nil, false, err
	}
	return &callStream{s: s, cancel: cancel}, false, nil
}

func (p *streams) put(cs *callStream) {
	p.mu.Lock()
	if len(p.idle) < maxIdleStreams {
		p.idle = append(p.idle, cs)
		cs = nil
	}
	p.mu.Unlock()
	if cs != nil {
		cs.close()
	}
}

// call sends req on an idle stream and waits for its answer within ctx. A caller that
// gives up cancels the stream, which cancels the plugin's handler; a stream that
// failed is dropped. A reused stream that cannot even take the request (the plugin
// ended it) is replaced once: the request was not sent, so nothing runs twice.
func (p *streams) call(ctx context.Context, req *proto.CallRequest) (*proto.CallResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	if d, ok := ctx.Deadline(); ok {
		req.TimeoutNanos = max(int64(time.Until(d)), 1)
	}
	for attempt := 0; ; attempt++ {
		cs, reused, err := p.take()
		if err != nil {
			return nil, err
		}
		if err := cs.s.Send(req); err != nil {
			cs.cancel()
			if reused && attempt == 0 {
				continue
			}
			return nil, err
		}
		stop := context.AfterFunc(ctx, cs.cancel)
		out, err := cs.s.Recv()
		if !stop() || err != nil {
			cs.cancel()
			if err == nil {
				err = status.FromContextError(ctx.Err()).Err()
			}
			return nil, err
		}
		p.put(cs)
		if out.ErrorCode != 0 {
			return nil, status.Error(codes.Code(out.ErrorCode), out.ErrorMessage)
		}
		return out, nil
	}
}

// close ends the idle streams.
func (p *streams) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, cs := range idle {
		cs.close()
	}
}
