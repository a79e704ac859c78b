package kernel

import (
	"context"
	"log/slog"

	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/resource"
)

// policySpec mirrors schemas/kinds/Policy.json.
type policySpec struct {
	Purpose string `json:"purpose"`
	Target  string `json:"target"`
	Module  string `json:"module"`
}

func policyOf(o resource.Object) policy.Policy {
	var ps policySpec
	decodeSpec(o.Spec, &ps)
	return policy.Policy{Tenant: o.Metadata.Tenant, Name: o.Metadata.Name, Purpose: ps.Purpose, Target: ps.Target, Module: ps.Module}
}

// admitPolicy compiles a policy before it is stored: one that does not compile is
// refused with OPA's errors and their locations.
func admitPolicy(_ context.Context, obj resource.Object, _ *resource.Object) error {
	return policy.Compile(policyOf(obj))
}

// ReloadPolicies loads every Policy resource into the policy engine.
func (k *Kernel) ReloadPolicies(ctx context.Context) error {
	var ps []policy.Policy
	if err := k.eachResource(ctx, "Policy", func(o resource.Object) { ps = append(ps, policyOf(o)) }); err != nil {
		return err
	}
	if err := k.policies.Load(ps); err != nil {
		k.log.ErrorContext(ctx, "loading policies failed; the previous set stays in force", slog.Any("err", err))
		return err
	}
	return nil
}

// Policies is the attribute-policy engine.
func (k *Kernel) Policies() *policy.Engine { return k.policies }
