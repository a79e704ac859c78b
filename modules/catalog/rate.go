package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/store/ent"
)

// TopicCaseSubmitted is the event a case-handling module (approval) emits when a
// case (办件) is accepted, once per case. The catalog counts these events for the
// online rate (网办率). The event's tenant is the tenant that handles the case.
const TopicCaseSubmitted = "case.submitted"

// CaseSubmitted is the payload of TopicCaseSubmitted: the event contract between the
// approval module and the catalog (docs/catalog.md).
type CaseSubmitted struct {
	// CaseNumber is the 办件号: 实施编码 + YYYYMMDD + 4-digit sequence. It makes a
	// redelivered event count once.
	CaseNumber string `json:"caseNumber"`
	// Code is the item's 基本编码.
	Code string `json:"code"`
	// Department is the org unit code of the implementing department.
	Department string `json:"department"`
	// Channel is how the case was submitted: "online" (网上办, 不见面) or "window"
	// (窗口), "mobile" and "self-service" (自助终端) count as online too.
	Channel string `json:"channel"`
	// SubmittedAt is when the case was accepted (UTC).
	SubmittedAt time.Time `json:"submittedAt"`
}

var caseNumberRE = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}[1-9][0-9A-Z]{12}[0-9]{8}[0-9]{4}$`)

// onlineChannels are the channels that count as handled online.
var onlineChannels = map[string]bool{"online": true, "mobile": true, "self-service": true}

// Check reports what is wrong with a case event.
func (e CaseSubmitted) Check() error {
	var errs apierr.FieldList
	if !caseNumberRE.MatchString(e.CaseNumber) {
		errs.Add("/caseNumber", "must be 实施编码 + YYYYMMDD + a 4-digit sequence (43 characters)")
	} else if e.CaseNumber[19:31] != e.Code {
		errs.Add("/code", "must be the 基本编码 inside the case number")
	}
	if err := CheckBasicCode(e.Code); err != nil {
		errs.Add("/code", "%s", err.Error())
	}
	if !onlineChannels[e.Channel] && e.Channel != "window" {
		errs.Add("/channel", "must be online, mobile, self-service or window")
	}
	if e.SubmittedAt.IsZero() {
		errs.Add("/submittedAt", "is required")
	}
	return errs.Err("invalid case event")
}

// onCase records a case event in catalog_cases, once per case number.
func (c *Catalog) onCase(ctx context.Context, e event.Event) {
	var ev CaseSubmitted
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		c.log.Warn("catalog: unreadable case event", "id", e.ID, "err", err)
		return
	}
	if err := ev.Check(); err != nil {
		c.log.Warn("catalog: invalid case event", "id", e.ID, "err", err)
		return
	}
	t, ok := c.tenants.Get(e.Tenant)
	if !ok {
		c.log.Warn("catalog: case event of an unknown tenant", "id", e.ID, "tenant", e.Tenant)
		return
	}
	q := `INSERT INTO catalog_cases (case_number, tenant, path, department, code, month, online) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_number) DO NOTHING`
	_, err := c.st.DB.ExecContext(ctx, c.bind(q), ev.CaseNumber, e.Tenant, t.Path, ev.Department, ev.Code,
		ev.SubmittedAt.UTC().Format("2006-01"), onlineChannels[ev.Channel])
	if err != nil {
		c.log.Error("catalog: record case event", "id", e.ID, "err", err)
	}
}

// EmitCase writes a case event in tx, as the approval module does; the demo uses it.
func (c *Catalog) EmitCase(ctx context.Context, tx *ent.Tx, tenantCode string, ev CaseSubmitted) error {
	if err := ev.Check(); err != nil {
		return err
	}
	return c.host.Emit(ctx, tx, TopicCaseSubmitted, tenantCode, ev)
}

// Rate is the online rate of one group of cases.
type Rate struct {
	Tenant     string  `json:"tenant,omitempty"`
	Department string  `json:"department,omitempty"`
	Month      string  `json:"month,omitempty"`
	Cases      int     `json:"cases"`
	Online     int     `json:"online"`
	Rate       float64 `json:"rate"`
}

// RateQuery selects and groups cases for OnlineRate.
type RateQuery struct {
	// Tenant scopes the cases to its subtree.
	Tenant string
	// From and To are months (YYYY-MM), inclusive; empty is open.
	From, To string
	// By groups the result: any of "tenant", "department", "month".
	By []string
}

var monthRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// OnlineRate returns the share of cases submitted online (网办率) in the tenant's
// subtree, grouped as asked, ordered by the groups.
func (c *Catalog) OnlineRate(ctx context.Context, q RateQuery) ([]Rate, error) {
	t, ok := c.tenants.Get(q.Tenant)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "tenant %q does not exist", q.Tenant)
	}
	var errs apierr.FieldList
	for name, m := range map[string]string{"from": q.From, "to": q.To} {
		if m != "" && !monthRE.MatchString(m) {
			errs.Add(name, "must be a month like 2020-03")
		}
	}
	cols := map[string]string{"tenant": "tenant", "department": "department", "month": "month"}
	var group []string
	for i, b := range q.By {
		col, ok := cols[b]
		if !ok {
			errs.Add(fmt.Sprintf("by/%d", i), "must be tenant, department or month")
			continue
		}
		group = append(group, col)
	}
	if err := errs.Err("invalid online-rate query"); err != nil {
		return nil, err
	}
	where, args := c.pathWithin("path", t.Path)
	if q.From != "" {
		where, args = where+` AND month >= ?`, append(args, q.From)
	}
	if q.To != "" {
		where, args = where+` AND month <= ?`, append(args, q.To)
	}
	sel := `COUNT(*), SUM(CASE WHEN online THEN 1 ELSE 0 END)`
	query := `SELECT ` + sel
	if len(group) > 0 {
		query = `SELECT ` + strings.Join(group, ", ") + `, ` + sel
	}
	query += ` FROM catalog_cases WHERE ` + where
	if len(group) > 0 {
		query += ` GROUP BY ` + strings.Join(group, ", ") + ` ORDER BY ` + strings.Join(group, ", ")
	}
	rows, err := c.st.DB.QueryContext(ctx, c.bind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("catalog: online rate: %w", err)
	}
	defer rows.Close()
	var out []Rate
	for rows.Next() {
		var r Rate
		dest := []any{}
		for _, g := range group {
			switch g {
			case "tenant":
				dest = append(dest, &r.Tenant)
			case "department":
				dest = append(dest, &r.Department)
			case "month":
				dest = append(dest, &r.Month)
			}
		}
		var online *int
		dest = append(dest, &r.Cases, &online)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("catalog: online rate: %w", err)
		}
		if online != nil {
			r.Online = *online
		}
		if r.Cases > 0 {
			r.Rate = float64(r.Online) / float64(r.Cases)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
