package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/gdbos/gdbos/sdk/internal/proto"
)

// ErrNoKernel is returned by Kernel.Query when the plugin runs without a kernel that
// answers calls back.
var ErrNoKernel = errors.New("sdk: no kernel to call back")

// kernelClient dials the kernel's callback service once, on first use.
type kernelClient struct {
	dial   func() (proto.KernelClient, error)
	once   sync.Once
	client proto.KernelClient
	err    error
}

func (k *kernelClient) get() (proto.KernelClient, error) {
	if k.dial == nil {
		return nil, ErrNoKernel
	}
	k.once.Do(func() { k.client, k.err = k.dial() })
	return k.client, k.err
}

// boundKernel is a Kernel for one tenant.
type boundKernel struct {
	k      *kernelClient
	tenant string
}

func (b *boundKernel) Query(ctx context.Context, query string, variables map[string]any) (map[string]any, error) {
	c, err := b.k.get()
	if err != nil {
		return nil, err
	}
	vars, err := json.Marshal(variables)
	if err != nil {
		return nil, fmt.Errorf("sdk: encoding variables: %w", err)
	}
	res, err := c.Query(ctx, &proto.QueryRequest{Tenant: b.tenant, Query: query, VariablesJson: vars})
	if err != nil {
		return nil, fmt.Errorf("sdk: calling the kernel: %w", err)
	}
	if f := res.Failure; f != nil {
		return nil, &Error{Code: f.Code, Message: f.Message}
	}
	data := map[string]any{}
	if len(res.DataJson) > 0 {
		if err := json.Unmarshal(res.DataJson, &data); err != nil {
			return nil, fmt.Errorf("sdk: decoding the kernel's answer: %w", err)
		}
	}
	return data, nil
}
