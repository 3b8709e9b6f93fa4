// Package rules evaluates the saved constraints on scores (the Terraform
// resource activity_monitoring_rule) against a score run.
package rules

import (
	"context"
	"fmt"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Violation is one principal (and, for rules on resource kinds, one of its
// resources) that breaks a rule.
type Violation struct {
	Rule         string   `json:"rule"`
	PrincipalARN string   `json:"principal"`
	Kind         string   `json:"kind"`
	AccountID    string   `json:"account_id"`
	ResourceARN  *string  `json:"resource"`
	OPS          *float64 `json:"ops"`
	Dormant      bool     `json:"dormant"`
	Reason       string   `json:"reason"`
}

// Check evaluates every rule in the store against a run, in rule order.
func Check(ctx context.Context, db *store.DB, run activity.ScoreRun) ([]store.Rule, []Violation, error) {
	all, err := db.Rules(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []Violation
	for _, r := range all {
		kinds := r.Kinds
		if len(kinds) == 0 {
			// Rules bound scores and dormancy of the scored kinds: the root
			// user has no score, and its staying unused is what it should do.
			kinds = activity.ScoredKinds
		}
		ps, err := db.PrincipalScores(ctx, run.ID, store.ScoreFilter{Accounts: r.Accounts, Kinds: kinds, ResourceKinds: r.ResourceKinds})
		if err != nil {
			return nil, nil, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		out = append(out, Evaluate(r, ps, run.Window)...)
	}
	return all, out, nil
}

// Evaluate applies one rule to principal scores of the window already
// limited to its scope.
func Evaluate(r store.Rule, scores []activity.PrincipalScore, w activity.Window) []Violation {
	var out []Violation
	for _, p := range scores {
		v := Violation{Rule: r.Name, PrincipalARN: p.ARN, Kind: p.Kind, AccountID: p.AccountID, Dormant: p.Dormant}
		if r.MaxUnusedRoleDays != nil {
			if days, ok := activity.UnusedRoleDays(p, w); ok && int64(days) > *r.MaxUnusedRoleDays {
				uv := v
				uv.OPS, uv.Reason = p.OPS, fmt.Sprintf("role unused for %d days, more than %d", days, *r.MaxUnusedRoleDays)
				out = append(out, uv)
			}
		}
		if r.MaxUnusedAccessKeyDays != nil {
			for _, c := range p.Credentials {
				if days, ok := activity.UnusedAccessKeyDays(c, w); ok && int64(days) > *r.MaxUnusedAccessKeyDays {
					kv := v
					kv.OPS, kv.Reason = p.OPS, fmt.Sprintf("access key %s unused for %d days, more than %d", c.Name, days, *r.MaxUnusedAccessKeyDays)
					out = append(out, kv)
				}
			}
		}
		if r.NoDormant && p.Dormant {
			dv := v
			dv.OPS, dv.Reason = p.OPS, "dormant: no activity at all in the window"
			out = append(out, dv)
		}
		if r.MaxResourceOPS != nil && p.ResourceOPS != nil && *p.ResourceOPS > *r.MaxResourceOPS {
			rv := v
			rv.OPS, rv.Reason = p.OPS, fmt.Sprintf("resource OPS %.1f is above %.1f", *p.ResourceOPS, *r.MaxResourceOPS)
			out = append(out, rv)
		}
		if r.MaxOPS == nil {
			continue
		}
		max := *r.MaxOPS
		if len(r.ResourceKinds) == 0 {
			if p.OPS != nil && *p.OPS > max {
				ov := v
				ov.OPS, ov.Reason = p.OPS, fmt.Sprintf("OPS %.1f is above %.1f", *p.OPS, max)
				out = append(out, ov)
			}
			continue
		}
		for _, rs := range p.Resources {
			if rs.OPS != nil && *rs.OPS > max {
				ov := v
				arn := rs.ARN
				ov.ResourceARN, ov.OPS = &arn, rs.OPS
				ov.Reason = fmt.Sprintf("OPS %.1f on %s %s is above %.1f", *rs.OPS, rs.Kind, rs.ARN, max)
				out = append(out, ov)
			}
		}
	}
	return out
}
