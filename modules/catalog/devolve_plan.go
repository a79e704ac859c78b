package catalog

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// devolvePlan is what a devolution writes, item by item: the handing tier's layer
// retired, then each target's layer, and the layers as they were before.
type devolvePlan struct {
	codes   []string
	index   map[string]int // code → its position in the request, for error paths
	objs    map[string][]resource.Object
	priors  map[string][]prior
	refused []Refusal
}

// planDevolution builds the layers a devolution writes, reading in bulk: the
// layers stored at the handing tier and at each target, and the effective
// implementations of the codes (a few queries, not two per pair). Items that are
// not implemented at From, or retired there, are refused.
func (c *Catalog) planDevolution(ctx context.Context, req DevolveRequest) (devolvePlan, error) {
	p := devolvePlan{index: map[string]int{}, objs: map[string][]resource.Object{}, priors: map[string][]prior{}}
	stored := map[string]map[string]resource.Object{}
	for _, tc := range append([]string{req.From}, targetTenants(req)...) {
		layers, err := c.storedLayers(ctx, tc)
		if err != nil {
			return p, err
		}
		stored[tc] = layers
	}
	everywhere, err := c.res.EffectiveEverywhere(ctx, KindImplementation, req.Codes)
	if err != nil {
		return p, err
	}
	for i, code := range req.Codes {
		p.index[code] = i
		path := fmt.Sprintf("/codes/%d", i)
		city, ok := stored[req.From][code]
		if !ok {
			p.refused = append(p.refused, Refusal{Code: code, Path: path, Reason: fmt.Sprintf("%s has no implementation stored at %s", code, req.From)})
			continue
		}
		var eff resource.Effective
		for _, e := range everywhere[code] {
			if e.Tenant == req.From {
				eff = e
			}
		}
		if str(eff.Spec["status"]) == "retired" {
			p.refused = append(p.refused, Refusal{Code: code, Path: path, Reason: fmt.Sprintf("%s is already retired at %s", code, req.From)})
			continue
		}
		p.codes = append(p.codes, code)
		p.priors[code] = append(p.priors[code], priorOf(req.From, code, &city))
		retired := city
		retired.Spec = cloneSpec(city.Spec)
		retired.Spec["status"] = "retired"
		p.objs[code] = append(p.objs[code], retired)
		cityBody, _ := eff.Spec["implementingBody"].(map[string]any)
		for _, t := range req.Targets {
			var existing *resource.Object
			if cur, ok := stored[t.Tenant][code]; ok {
				existing = &cur
			}
			p.priors[code] = append(p.priors[code], priorOf(t.Tenant, code, existing))
			p.objs[code] = append(p.objs[code], targetLayer(t, code, existing, cityBody, eff.Spec["implementationCode"] != nil, c, ctx))
		}
	}
	return p, nil
}

// flatten returns the plan's layers and priors in the order of its codes.
func (p devolvePlan) flatten() ([]resource.Object, []prior) {
	var objs []resource.Object
	var priors []prior
	for _, code := range p.codes {
		objs = append(objs, p.objs[code]...)
		priors = append(priors, p.priors[code]...)
	}
	return objs, priors
}

// sortOut dry-runs the plan's items and, when some are refused, halves the set
// until each refused item is alone: k refusals among n items cost about k·log n dry
// runs, one when none is refused. With skip, the refused items leave the plan with
// their reasons; otherwise the first refusal is returned. It answers each kept
// item's dry-run results.
func (c *Catalog) sortOut(ctx context.Context, actor string, p *devolvePlan, skip bool) (map[string][]resource.ApplyResult, error) {
	out := map[string][]resource.ApplyResult{}
	var try func(codes []string) error
	try = func(codes []string) error {
		if len(codes) == 0 {
			return nil
		}
		var objs []resource.Object
		for _, code := range codes {
			objs = append(objs, p.objs[code]...)
		}
		results, err := c.res.Apply(ctx, actor, objs, resource.ApplyOptions{DryRun: true})
		if err == nil {
			at := 0
			for _, code := range codes {
				n := len(p.objs[code])
				out[code] = results[at : at+n]
				at += n
			}
			return nil
		}
		if !skip || !refusable(err) {
			return err
		}
		if len(codes) == 1 {
			p.refused = append(p.refused, Refusal{Code: codes[0], Path: fmt.Sprintf("/codes/%d", p.index[codes[0]]), Reason: err.Error()})
			return nil
		}
		if err := try(codes[:len(codes)/2]); err != nil {
			return err
		}
		return try(codes[len(codes)/2:])
	}
	if err := try(p.codes); err != nil {
		return nil, err
	}
	kept := p.codes[:0:0]
	for _, code := range p.codes {
		if _, ok := out[code]; ok {
			kept = append(kept, code)
		}
	}
	p.codes = kept
	slices.SortFunc(p.refused, func(a, b Refusal) int { return p.index[a.Code] - p.index[b.Code] })
	return out, nil
}

// refusable tells a refusal of the items (a check, a lock, a conflict) from a
// failure of the system, which stops the batch.
func refusable(err error) bool {
	switch apierr.CodeOf(err) {
	case apierr.ValidationFailed, apierr.Locked, apierr.Conflict:
		return true
	}
	return false
}

func refusalsErr(message string, refused []Refusal) error {
	var errs apierr.FieldList
	for _, r := range refused {
		errs.Add(r.Path, "%s", r.Reason)
	}
	return errs.Err(message)
}

func reportOf(req DevolveRequest, results []resource.ApplyResult, refused []Refusal, start time.Time) DevolveReport {
	r := DevolveReport{Items: len(req.Codes), Targets: len(req.Targets), PerTier: map[string]int{}, Refused: refused}
	for _, res := range results {
		switch {
		case res.Object.Metadata.Tenant == req.From:
			r.Retired++
		case res.Op == resource.Created:
			r.Created++
			r.PerTier[res.Object.Metadata.Tenant]++
		default:
			r.Updated++
			r.PerTier[res.Object.Metadata.Tenant]++
		}
	}
	r.Millis = time.Since(start).Milliseconds()
	return r
}

// progress counts the objects a running devolution has written.
type progress struct{ done, total int64 }
