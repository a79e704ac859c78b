package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// DevolveRequest hands items implemented at From to tenants below it (下放).
type DevolveRequest struct {
	From    string   `json:"from"`
	Codes   []string `json:"codes"`
	Targets []Target `json:"targets"`
	Note    string   `json:"note,omitempty"`
	// SkipRefused devolves the items that can be and reports the others (Refusal)
	// instead of refusing the batch.
	SkipRefused bool `json:"skipRefused,omitempty"`
}

// Refusal is an item a devolution left out, and why.
type Refusal struct {
	Code string `json:"code"`
	// Path locates the item in the request (/codes/3).
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Target is a tenant receiving items and the body that implements them there.
type Target struct {
	Tenant     string `json:"tenant"`
	BodyName   string `json:"bodyName"`
	CreditCode string `json:"creditCode"`
	// Department is the org unit code of the implementing department; empty keeps
	// the handing tier's.
	Department string `json:"department,omitempty"`
}

// Devolution is a recorded devolution batch.
type Devolution struct {
	ID        int64
	Tenant    string
	Actor     string
	Status    string // pending, running, done, failed, undone; preview for a dry run
	CreatedAt time.Time
	UndoneAt  *time.Time
	Request   DevolveRequest
	Report    DevolveReport
	// Processed and Total count the implementation layers the batch writes; while it
	// runs (async), Processed grows.
	Processed, Total int
}

// DevolveReport says what a batch did.
type DevolveReport struct {
	Items    int            `json:"items"`
	Targets  int            `json:"targets"`
	Created  int            `json:"created"`
	Updated  int            `json:"updated"`
	Retired  int            `json:"retired"`
	PerTier  map[string]int `json:"perTarget"`
	Error    string         `json:"error,omitempty"`
	Restored int            `json:"restored,omitempty"`
	Refused  []Refusal      `json:"refused,omitempty"`
	Millis   int64          `json:"millis"`
}

// prior is a layer as it was before a devolution, and the version the devolution
// left, so an undo can restore it and notice later changes.
type prior struct {
	Tenant  string            `json:"tenant"`
	Code    string            `json:"code"`
	Existed bool              `json:"existed"`
	Spec    map[string]any    `json:"spec,omitempty"`
	Locks   []string          `json:"locks,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	After   int               `json:"after"`
}

func (r DevolveRequest) check(c *Catalog) error {
	var errs apierr.FieldList
	if _, ok := c.tenants.Get(r.From); !ok {
		errs.Add("/from", "tenant %q does not exist", r.From)
	}
	if len(r.Codes) == 0 {
		errs.Add("/codes", "name at least one item")
	}
	if len(r.Codes)*max(len(r.Targets), 1) > 50000 {
		errs.Add("/codes", "at most 50,000 implementations per batch")
	}
	seen := map[string]bool{}
	for i, code := range r.Codes {
		if err := CheckBasicCode(code); err != nil {
			errs.Add(fmt.Sprintf("/codes/%d", i), "%s", err.Error())
		}
		if seen[code] {
			errs.Add(fmt.Sprintf("/codes/%d", i), "%s is listed twice", code)
		}
		seen[code] = true
	}
	if len(r.Targets) == 0 {
		errs.Add("/targets", "name at least one tenant")
	}
	seenT := map[string]bool{}
	for i, t := range r.Targets {
		p := fmt.Sprintf("/targets/%d", i)
		switch {
		case seenT[t.Tenant]:
			errs.Add(p+"/tenant", "%s is listed twice", t.Tenant)
		case t.Tenant == r.From || !c.tenants.IsWithin(t.Tenant, r.From):
			errs.Add(p+"/tenant", "%q is not a tenant below %s", t.Tenant, r.From)
		}
		seenT[t.Tenant] = true
		if len([]rune(t.BodyName)) < 2 {
			errs.Add(p+"/bodyName", "name the implementing body")
		}
		if _, err := ImplementationCode(t.CreditCode, '1', "000000000000"); err != nil {
			errs.Add(p+"/creditCode", "%s", err.Error())
		}
	}
	return errs.Err("invalid devolution")
}

// Devolve hands the items to the targets in one all-or-nothing apply: at each
// target an active implementation layer with the target's body, at From the
// implementation retired. The batch is journalled first, so a failure is recorded
// too; history keeps every version and Undo restores the layers as they were.
//
// With req.SkipRefused, items that cannot be devolved (not implemented at From,
// retired there, or refused by a target's checks: a tier that may not exercise
// the item …) are left out and listed in the report with the reason, and the
// others are devolved; otherwise any refusal refuses the batch.
//
// With dryRun, nothing is written or journalled: the answer is the report the batch
// would have (status preview, ID 0), found by dry runs (sortOut).
//
// With async, Devolve returns once the batch is checked and journalled (status
// running); the batch then runs in the background and Devolution(id) reports its
// progress (processed of total) and, at the end, its report.
func (c *Catalog) Devolve(ctx context.Context, actor string, req DevolveRequest, async, dryRun bool) (Devolution, error) {
	start := time.Now()
	if err := req.check(c); err != nil {
		return Devolution{}, err
	}
	p, err := c.planDevolution(ctx, req)
	if err != nil {
		return Devolution{}, err
	}
	if !req.SkipRefused && len(p.refused) > 0 {
		return Devolution{}, refusalsErr("cannot devolve", p.refused)
	}
	if len(p.codes) == 0 {
		return Devolution{}, refusalsErr("nothing to devolve", p.refused)
	}
	if dryRun {
		tried, err := c.sortOut(ctx, actor, &p, req.SkipRefused)
		if err != nil {
			return Devolution{}, err
		}
		if len(p.codes) == 0 {
			return Devolution{}, refusalsErr("nothing to devolve", p.refused)
		}
		req.Codes = p.codes
		var results []resource.ApplyResult
		for _, code := range p.codes {
			results = append(results, tried[code]...)
		}
		return Devolution{Tenant: req.From, Actor: actor, Status: "preview", CreatedAt: time.Now().UTC(), Request: req,
			Report: reportOf(req, results, p.refused, start)}, nil
	}
	req.Codes = p.codes
	objs, _ := p.flatten()
	d := Devolution{Tenant: req.From, Actor: actor, Status: "pending", CreatedAt: time.Now().UTC(), Request: req, Total: len(objs)}
	id, err := c.journal(ctx, d)
	if err != nil {
		return Devolution{}, err
	}
	d.ID = id
	prog := &progress{total: int64(len(objs))}
	c.running.Store(id, prog)
	if !async {
		defer c.running.Delete(id)
		return c.runDevolution(ctx, d, &p, prog, start)
	}
	c.background.Add(1)
	go func() {
		defer c.background.Done()
		defer c.running.Delete(id)
		if _, err := c.runDevolution(context.WithoutCancel(ctx), d, &p, prog, start); err != nil {
			c.log.Warn("catalog: devolution failed", "id", id, "err", err)
		}
	}()
	d.Status = "running"
	return d, nil
}

// runDevolution applies the plan. With SkipRefused, a refusal of the whole batch
// is sorted out by dry runs (sortOut) and the remaining items applied: a batch
// nothing refuses costs one apply, as without it.
func (c *Catalog) runDevolution(ctx context.Context, d Devolution, p *devolvePlan, prog *progress, start time.Time) (Devolution, error) {
	objs, priors := p.flatten()
	opts := resource.ApplyOptions{Progress: func(done, _ int) { atomic.StoreInt64(&prog.done, int64(done)) }}
	results, err := c.res.Apply(ctx, d.Actor, objs, opts)
	if err != nil && d.Request.SkipRefused && refusable(err) {
		if _, err = c.sortOut(ctx, d.Actor, p, true); err == nil {
			if len(p.codes) == 0 {
				err = refusalsErr("nothing to devolve", p.refused)
			} else {
				d.Request.Codes = p.codes
				objs, priors = p.flatten()
				atomic.StoreInt64(&prog.done, 0)
				atomic.StoreInt64(&prog.total, int64(len(objs)))
				results, err = c.res.Apply(ctx, d.Actor, objs, opts)
			}
		}
	}
	if err != nil {
		d.Status, d.Report.Error, d.Report.Refused = "failed", err.Error(), p.refused
		if jerr := c.finish(ctx, d, nil); jerr != nil {
			c.log.Error("catalog: record failed devolution", "id", d.ID, "err", jerr)
		}
		return Devolution{}, err
	}
	for i, r := range results {
		priors[i].After = r.Object.Metadata.Version
	}
	d.Report = reportOf(d.Request, results, p.refused, start)
	d.Status, d.Processed, d.Total = "done", len(objs), len(objs)
	return d, c.finish(ctx, d, priors)
}

// storedLayers returns the implementation layers stored at a tenant, by code.
func (c *Catalog) storedLayers(ctx context.Context, tenantCode string) (map[string]resource.Object, error) {
	out := map[string]resource.Object{}
	after := ""
	for {
		page, err := c.res.List(ctx, resource.ListOptions{Kind: KindImplementation, Tenant: tenantCode, First: 1000, After: after})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Items {
			out[o.Metadata.Name] = o
		}
		if !page.HasNext {
			return out, nil
		}
		after = page.EndCursor
	}
}

func targetLayer(t Target, code string, existing *resource.Object, cityBody map[string]any, hasCode bool, c *Catalog, ctx context.Context) resource.Object {
	obj := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindImplementation,
		Metadata: resource.Metadata{Tenant: t.Tenant, Name: code}, Spec: map[string]any{}}
	if existing != nil {
		obj.Metadata.Labels, obj.Locks, obj.Spec = existing.Metadata.Labels, existing.Locks, cloneSpec(existing.Spec)
	}
	dept := t.Department
	if dept == "" {
		dept = str(cityBody["department"])
	}
	body := map[string]any{"name": t.BodyName, "creditCode": t.CreditCode}
	if dept != "" {
		body["department"] = dept
	}
	obj.Spec["implementingBody"] = body
	obj.Spec["status"] = "active"
	if hasCode {
		// The handing tier states its 实施编码; the target's differs (its own body and tier).
		obj.Spec["implementationCode"] = c.computedCode(ctx, t.Tenant, map[string]any{"implementingBody": body}, code, newSettingsMemo(c))
	}
	return obj
}

func priorOf(tenantCode, code string, o *resource.Object) prior {
	if o == nil {
		return prior{Tenant: tenantCode, Code: code}
	}
	return prior{Tenant: tenantCode, Code: code, Existed: true, Spec: o.Spec, Locks: o.Locks, Labels: o.Metadata.Labels}
}

func cloneSpec(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// Undo restores every layer a devolution wrote to what it was before, in one
// apply: the handing tier's implementation active again, the targets' layers as
// they were (a layer the devolution created is retired: its history stays). A layer
// changed since the devolution refuses the undo with CONFLICT.
func (c *Catalog) Undo(ctx context.Context, actor string, id int64) (Devolution, error) {
	d, priors, err := c.devolution(ctx, id)
	if err != nil {
		return Devolution{}, err
	}
	if d.Status != "done" {
		return Devolution{}, apierr.New(apierr.Conflict, "devolution %d is %s, only a done devolution can be undone", id, d.Status)
	}
	var objs []resource.Object
	var changed []string
	stored := map[string]map[string]resource.Object{}
	for _, p := range priors {
		if _, ok := stored[p.Tenant]; !ok {
			if stored[p.Tenant], err = c.storedLayers(ctx, p.Tenant); err != nil {
				return Devolution{}, err
			}
		}
	}
	for _, p := range priors {
		cur, ok := stored[p.Tenant][p.Code]
		if !ok || cur.Metadata.Version != p.After {
			changed = append(changed, p.Tenant+"/"+p.Code)
			continue
		}
		o := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindImplementation,
			Metadata: resource.Metadata{Tenant: p.Tenant, Name: p.Code, Labels: p.Labels}, Spec: p.Spec, Locks: p.Locks}
		if !p.Existed {
			o.Spec, o.Locks, o.Metadata.Labels = cloneSpec(cur.Spec), cur.Locks, cur.Metadata.Labels
			o.Spec["status"] = "retired"
		}
		objs = append(objs, o)
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		e := apierr.New(apierr.Conflict, "devolution %d cannot be undone: %d implementation(s) changed since, first %s", id, len(changed), changed[0])
		e.Details = map[string]any{"changed": changed}
		return Devolution{}, e
	}
	if _, err := c.res.Apply(ctx, actor, objs, resource.ApplyOptions{}); err != nil {
		return Devolution{}, err
	}
	now := time.Now().UTC()
	d.Status, d.UndoneAt, d.Report.Restored = "undone", &now, len(objs)
	q := c.bind(`UPDATE catalog_devolutions SET status = ?, undone_at = ?, report = ? WHERE id = ? AND status = 'done'`)
	rep, _ := json.Marshal(d.Report)
	if _, err := c.st.DB.ExecContext(ctx, q, d.Status, now, string(rep), id); err != nil {
		return Devolution{}, fmt.Errorf("catalog: record undo of devolution %d: %w", id, err)
	}
	return d, nil
}

func (c *Catalog) journal(ctx context.Context, d Devolution) (int64, error) {
	req, _ := json.Marshal(d.Request)
	q := c.bind(`INSERT INTO catalog_devolutions (tenant, actor, status, created_at, request, prior, report) VALUES (?, ?, ?, ?, ?, '[]', '{}') RETURNING id`)
	var id int64
	if err := c.st.DB.QueryRowContext(ctx, q, d.Tenant, d.Actor, d.Status, d.CreatedAt, string(req)).Scan(&id); err != nil {
		return 0, fmt.Errorf("catalog: journal devolution: %w", err)
	}
	return id, nil
}

func (c *Catalog) finish(ctx context.Context, d Devolution, priors []prior) error {
	rep, _ := json.Marshal(d.Report)
	pr, _ := json.Marshal(priors)
	if priors == nil {
		pr = []byte("[]")
	}
	req, _ := json.Marshal(d.Request)
	q := c.bind(`UPDATE catalog_devolutions SET status = ?, report = ?, prior = ?, request = ? WHERE id = ?`)
	if _, err := c.st.DB.ExecContext(ctx, q, d.Status, string(rep), string(pr), string(req), d.ID); err != nil {
		return fmt.Errorf("catalog: record devolution %d: %w", d.ID, err)
	}
	return nil
}

func (c *Catalog) devolution(ctx context.Context, id int64) (Devolution, []prior, error) {
	q := c.bind(`SELECT id, tenant, actor, status, created_at, undone_at, request, prior, report FROM catalog_devolutions WHERE id = ?`)
	var d Devolution
	var req, pr, rep string
	err := c.st.DB.QueryRowContext(ctx, q, id).Scan(&d.ID, &d.Tenant, &d.Actor, &d.Status, &d.CreatedAt, &d.UndoneAt, &req, &pr, &rep)
	if err != nil {
		return Devolution{}, nil, apierr.New(apierr.NotFound, "devolution %d not found", id)
	}
	var priors []prior
	if json.Unmarshal([]byte(req), &d.Request) != nil || json.Unmarshal([]byte(pr), &priors) != nil || json.Unmarshal([]byte(rep), &d.Report) != nil {
		return Devolution{}, nil, fmt.Errorf("catalog: devolution %d is not readable", id)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.Total = len(priors)
	if d.Status == "done" || d.Status == "undone" {
		d.Processed = d.Total
	}
	if p, ok := c.running.Load(id); ok {
		pr := p.(*progress)
		d.Status, d.Processed, d.Total = "running", int(atomic.LoadInt64(&pr.done)), int(atomic.LoadInt64(&pr.total))
	}
	return d, priors, nil
}

// Devolutions lists the batches handed down from tenant, newest first.
func (c *Catalog) Devolutions(ctx context.Context, tenantCode string, first int) ([]Devolution, error) {
	rows, err := c.st.DB.QueryContext(ctx, c.bind(`SELECT id FROM catalog_devolutions WHERE tenant = ? ORDER BY id DESC LIMIT ?`), tenantCode, pageSize(first))
	if err != nil {
		return nil, fmt.Errorf("catalog: list devolutions: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Devolution, 0, len(ids))
	for _, id := range ids {
		d, _, err := c.devolution(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
