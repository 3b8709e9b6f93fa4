package iam

import (
	"fmt"
	"slices"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Decisions of a simulation.
const (
	Allowed       = "allowed"
	ImplicitDeny  = "implicit_deny"
	ExplicitDeny  = "explicit_deny"
	UnknownAction = "unknown_action"
	// Unknown: a policy that applies could not be read, and no readable
	// policy denies the action explicitly.
	Unknown = "unknown"
)

// Decision is the answer for one action.
type Decision struct {
	Principal   string `json:"principal"`
	Action      string `json:"action"`
	Resource    string `json:"resource"`
	Decision    string `json:"decision"`
	Conditional bool   `json:"conditional"`
	Statements  []Ref  `json:"statements"`
	// UnreadablePolicies are the policies that apply but could not be
	// read; the decision is Unknown when there are some, unless a readable
	// policy denies explicitly.
	UnreadablePolicies []activity.UnreadablePolicy `json:"unreadable_policies"`
	// Reason says in a sentence why, for people reading the table.
	Reason string `json:"reason"`
}

// Simulate decides whether the principal may perform each action on the
// resource, and which statements decided. A bucket ARN stands for the bucket
// and its objects, as in the grants: an object action is allowed when it is
// allowed on some object of the bucket. An object ARN is evaluated exactly.
// When a policy that applies could not be read, the decision is Unknown
// unless a readable policy denies the action explicitly.
func Simulate(cat *Catalog, inv *Inventory, principalARN string, actions []string, resourceARN string) ([]Decision, []string, error) {
	return SimulateWith(cat, inv, principalARN, actions, resourceARN, Options{})
}

// Options refine a simulation.
type Options struct {
	// Context is the request context, key → values, like the context
	// entries of aws iam simulate-principal-policy. When it is set,
	// conditions are evaluated against it: a statement whose condition
	// fails does not apply, one whose condition holds applies without
	// condition, and one with a condition on a key the context does not
	// give stays conditional. Policy variables it gives are resolved.
	// Keys are case-insensitive.
	Context map[string][]string
}

// SimulateWith is Simulate for a request described by opts.
func SimulateWith(cat *Catalog, inv *Inventory, principalARN string, actions []string, resourceARN string, opts Options) ([]Decision, []string, error) {
	var p *PrincipalInfo
	for i := range inv.Principals {
		if inv.Principals[i].ARN == principalARN {
			p = &inv.Principals[i]
			break
		}
	}
	if p == nil {
		return nil, nil, fmt.Errorf("principal %s is not among the discovered IAM users and roles", principalARN)
	}
	res, notes := simulatedResource(inv, resourceARN)

	var ids []ActionID
	pos := make([]int, len(actions))
	seen := map[ActionID]int{}
	for i, a := range actions {
		id, ok := cat.Lookup(a)
		if !ok {
			pos[i] = -1
			continue
		}
		if k, dup := seen[id]; dup {
			pos[i] = k
			continue
		}
		seen[id] = len(ids)
		pos[i] = len(ids)
		ids = append(ids, id)
	}
	u, err := newUniverse(cat, ids)
	if err != nil {
		return nil, nil, err
	}
	one := &Inventory{Principals: []PrincipalInfo{*p}, Resources: []ResourceInfo{res}, SCPs: inv.SCPs, RCPs: inv.RCPs}
	var ctx map[string][]string
	if opts.Context != nil {
		ctx = make(map[string][]string, len(opts.Context))
		for k, v := range opts.Context {
			k = strings.ToLower(k)
			ctx[k] = append(ctx[k], v...)
		}
	}
	e := newEngine(cat, u, one, ctx)
	pp := &one.Principals[0]
	var trace []Contribution
	idG, idPer := e.identity(pp, pp.Policies, "identity", &trace)
	var bG layer
	var bPer map[int32]*layer
	if pp.Boundary != nil {
		bG, bPer = e.identity(pp, []*Policy{pp.Boundary}, "boundary", &trace)
	}
	scps := e.orgLevels(e.scps, e.inv.SCPs[pp.AccountID], pp.AccountID, "scp", &trace)
	r := e.evalPair(pp, 0, &idG, idPer[0], &bG, bPer[0], scps, &trace)
	unreadable := unreadablePolicies(inv, p, res)

	out := make([]Decision, len(actions))
	for i, a := range actions {
		d := Decision{Principal: principalARN, Action: a, Resource: resourceARN, Statements: []Ref{}, UnreadablePolicies: unreadable}
		k := pos[i]
		if k < 0 {
			d.Decision = UnknownAction
			d.Reason = "the action catalog has no action " + a
			out[i] = d
			continue
		}
		d.Action = u.names[k]
		switch {
		case r.denied.has(k):
			d.Decision = ExplicitDeny
			d.Statements = refs(trace, k, func(c Contribution) bool { return c.Effect == Deny && !c.Conditional })
			d.Reason = "an explicit Deny applies" + notPrincipalWarning(res.Policy, d.Statements, p)
			if len(unreadable) > 0 {
				d.Reason += ", whatever the policies that could not be read say"
			}
		case len(unreadable) > 0:
			d.Decision = Unknown
			d.Conditional = r.granted.has(k) && r.conditional.has(k)
			d.Statements = refs(trace, k, func(c Contribution) bool { return c.Effect == Allow })
			d.Reason = unknownReason(unreadable, r.granted.has(k))
		case r.granted.has(k):
			d.Decision = Allowed
			d.Conditional = r.conditional.has(k)
			d.Statements = refs(trace, k, func(c Contribution) bool {
				return (c.Effect == Allow && (c.Layer == "identity" || c.Layer == "resource")) || (c.Effect == Deny && c.Conditional)
			})
			d.Reason = "allowed"
			if d.Conditional {
				d.Reason = "allowed under a condition that is known only at request time"
				if ctx != nil {
					d.Reason = "allowed under a condition on a key the request context does not give"
				}
			}
			if r.keyPolicyAssumed {
				d.Reason += "; the key policy is unknown and assumed to be the default one"
			}
		default:
			d.Decision = ImplicitDeny
			d.Statements = refs(trace, k, func(c Contribution) bool { return c.Effect == Allow })
			d.Reason = implicitReason(r, k, res, p)
		}
		out[i] = d
	}
	return out, append(notes, e.Notes()...), nil
}

// unreadablePolicies lists the policies that apply to the request but could
// not be read: the principal's identity policies and boundary, the SCPs of
// its account, the RCPs of the resource's account and the resource policy.
func unreadablePolicies(inv *Inventory, p *PrincipalInfo, res ResourceInfo) []activity.UnreadablePolicy {
	out := []activity.UnreadablePolicy{}
	out = append(out, p.Unreadable...)
	out = append(out, inv.UnreadableSCPs[p.AccountID]...)
	if res.AccountID != "" {
		out = append(out, inv.UnreadableRCPs[res.AccountID]...)
	}
	if res.UnreadablePolicy != nil {
		out = append(out, *res.UnreadablePolicy)
	}
	return out
}

func unknownReason(unreadable []activity.UnreadablePolicy, readableAllow bool) string {
	names := make([]string, len(unreadable))
	for i, u := range unreadable {
		names[i] = u.String()
	}
	readable := "no readable policy allows it"
	if readableAllow {
		readable = "the readable policies allow it"
	}
	noun := "a policy that applies"
	if len(unreadable) > 1 {
		noun = fmt.Sprintf("%d policies that apply", len(unreadable))
	}
	return fmt.Sprintf("unknown: %s could not be read (%s); %s, and none denies it unconditionally", noun, strings.Join(names, "; "), readable)
}

func refs(trace []Contribution, k int, keep func(Contribution) bool) []Ref {
	out := []Ref{}
	seen := map[Ref]bool{}
	for _, c := range trace {
		if c.bits.has(k) && keep(c) && !seen[c.Ref] {
			seen[c.Ref] = true
			out = append(out, c.Ref)
		}
	}
	return out
}

func implicitReason(r pairResult, k int, res ResourceInfo, p *PrincipalInfo) string {
	id, dir, acct := r.idAllow.has(k), r.resAllow.has(k), r.resAccount.has(k)
	switch {
	case !id && !dir && !acct:
		return "no policy allows it"
	case !r.scpAllow.has(k):
		return "the service control policies do not allow it"
	case !r.rcpAllow.has(k):
		return "the resource control policies do not allow it"
	case r.hasBoundary && id && !r.boundaryAllow.has(k):
		return "the permissions boundary does not allow it"
	case r.hasBoundary && r.resRoleARN.has(k) && !r.boundaryAllow.has(k):
		return "the resource policy allows the role's ARN, but the permissions boundary does not allow it, and a boundary limits what a resource policy grants to a role's ARN"
	case r.crossAccount && !id:
		return fmt.Sprintf("the resource belongs to account %s: a cross-account request needs an identity policy of account %s too", res.AccountID, p.AccountID)
	case r.crossAccount:
		return fmt.Sprintf("the resource belongs to account %s and its policy allows neither the principal nor account %s", res.AccountID, p.AccountID)
	case res.Kind == activity.KindKMSKey:
		return fmt.Sprintf("the key policy neither allows the principal nor delegates to account %s (%s), so IAM policies do not count", p.AccountID, activity.AccountRootARN(activity.PartitionOfARN(p.ARN), p.AccountID))
	default:
		return "no policy allows it"
	}
}

// simulatedResource finds the resource to evaluate: a discovered one, the
// bucket of an object ARN with the bucket's policy, or an unknown resource
// whose owner is read from its ARN.
func simulatedResource(inv *Inventory, arn string) (ResourceInfo, []string) {
	for _, r := range inv.Resources {
		if r.ARN == arn {
			return r, nil
		}
	}
	parent := activity.ParentARN(arn)
	if parent != "" {
		for _, r := range inv.Resources {
			if r.ARN == parent {
				r.ARN = arn
				r.Kind = activity.ResourceKindNamed(r.Kind).ChildKind
				return r, nil
			}
		}
	}
	r := ResourceInfo{ARN: arn}
	if a, err := activity.ParseARN(arn); err == nil {
		r.Region, r.AccountID = a.Region, a.AccountID
		if a.Service == "kms" && strings.HasPrefix(a.Resource, "alias/") {
			// An alias is the resource of the alias actions; it has no
			// policy of its own, so identity policies decide.
			return r, nil
		}
		if k := activity.ResourceKindOfService(a.Service); k != nil {
			r.Kind = k.Name
			if parent != "" {
				r.Kind = k.ChildKind
			}
		}
	}
	note := fmt.Sprintf("resource %s was not discovered: its resource policy is unknown", arn)
	if r.AccountID == "" {
		note += " and it is taken to belong to the principal's account"
	}
	return r, []string{note}
}

// notPrincipalWarning explains a Deny with NotPrincipal that lists the
// principal but still denies it: AWS exempts a principal only when its
// account is listed too, and never one with a permissions boundary.
func notPrincipalWarning(pol *Policy, deciding []Ref, p *PrincipalInfo) string {
	if pol == nil {
		return ""
	}
	for _, ref := range deciding {
		if ref.Policy != pol.Name || ref.Index >= len(pol.Statements) {
			continue
		}
		st := &pol.Statements[ref.Index]
		if !st.NotPrincipal || st.Principal == nil || !slices.Contains(st.Principal.AWS, p.ARN) {
			continue
		}
		if p.Boundary != nil {
			return fmt.Sprintf("; statement %s lists the principal in NotPrincipal, but AWS denies a principal with a permissions boundary whatever NotPrincipal lists", stmtLabel(st))
		}
		return fmt.Sprintf("; statement %s lists the principal in NotPrincipal but not its account %s, and AWS exempts a principal only when its account is listed too", stmtLabel(st), p.AccountID)
	}
	return ""
}
