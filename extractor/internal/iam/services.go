package iam

import (
	"context"
	"math/bits"
	"sort"
	"strings"
)

// catalogBits is a set of actions of a whole catalog, by ActionID.
type catalogBits []uint64

func newCatalogBits(n int) catalogBits { return make(catalogBits, (n+63)/64) }

func (b catalogBits) set(i ActionID)      { b[i/64] |= 1 << (i % 64) }
func (b catalogBits) has(i ActionID) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b catalogBits) or(o catalogBits) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b catalogBits) and(o catalogBits) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b catalogBits) andNot(o catalogBits) {
	for i := range b {
		b[i] &^= o[i]
	}
}

// policyActions is what one policy says of every action, whatever the
// resource: the actions some Allow grants on some resource, the actions an
// unconditional Deny denies on every resource, and whether the policy has
// an Allow statement at all.
type policyActions struct {
	allowed, deniedEverywhere catalogBits
	hasAllow                  bool
}

// serviceEvaluator computes granted actions per service, each policy's
// actions once however many principals share it.
type serviceEvaluator struct {
	cat      *Catalog
	policies map[*Policy]*policyActions
	// results keeps each distinct set of granted actions by service, so
	// that principals granted alike (every administrator) share one.
	results map[string]map[string][]string
}

// ServiceGrants calls fn, for every principal of the inventory, with the
// actions it is granted per service: service prefix → actions in catalog
// spelling, sorted. The map is shared between principals granted alike and
// must not be changed.
func ServiceGrants(ctx context.Context, cat *Catalog, inv *Inventory, fn func(p *PrincipalInfo, byService map[string][]string) error) error {
	ev := &serviceEvaluator{cat: cat, policies: map[*Policy]*policyActions{}, results: map[string]map[string][]string{}}
	for i := range inv.Principals {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := &inv.Principals[i]
		if err := fn(p, ev.byService(ev.granted(p, inv.SCPs[p.AccountID]))); err != nil {
			return err
		}
	}
	return nil
}

// granted is the set of actions granted to p under the SCP levels of its
// account.
func (ev *serviceEvaluator) granted(p *PrincipalInfo, scps [][]*Policy) catalogBits {
	out := newCatalogBits(ev.cat.Len())
	denied := newCatalogBits(ev.cat.Len())
	for _, pol := range p.Policies {
		if pol == nil {
			continue
		}
		a := ev.of(pol)
		out.or(a.allowed)
		denied.or(a.deniedEverywhere)
	}
	if p.Boundary != nil {
		a := ev.of(p.Boundary)
		out.and(a.allowed)
		denied.or(a.deniedEverywhere)
	}
	for _, level := range scps {
		allowed := newCatalogBits(ev.cat.Len())
		anyAllow := false
		for _, pol := range level {
			if pol == nil {
				continue
			}
			a := ev.of(pol)
			allowed.or(a.allowed)
			denied.or(a.deniedEverywhere)
			anyAllow = anyAllow || a.hasAllow
		}
		if anyAllow {
			out.and(allowed)
		}
	}
	out.andNot(denied)
	return out
}

// of is what pol says of every action.
func (ev *serviceEvaluator) of(pol *Policy) *policyActions {
	if a, ok := ev.policies[pol]; ok {
		return a
	}
	a := &policyActions{allowed: newCatalogBits(ev.cat.Len()), deniedEverywhere: newCatalogBits(ev.cat.Len())}
	for i := range pol.Statements {
		st := &pol.Statements[i]
		named := ev.actionsOf(st)
		switch st.Effect {
		case Allow:
			if namesSomeResource(st) {
				a.hasAllow = true
				a.allowed.or(named)
			}
		case Deny:
			if len(st.Condition) > 0 || st.NotResource || st.Principal != nil || st.NotPrincipal {
				continue
			}
			for w, word := range named {
				for word != 0 {
					b := bits.TrailingZeros64(word)
					word &^= 1 << b
					id := ActionID(w*64 + b)
					if coversEveryResourceOf(st.Resources, ev.cat.Action(id).Service) {
						a.deniedEverywhere.set(id)
					}
				}
			}
		}
	}
	ev.policies[pol] = a
	return a
}

// actionsOf is the set of actions a statement's Action or NotAction names.
func (ev *serviceEvaluator) actionsOf(st *Statement) catalogBits {
	b := newCatalogBits(ev.cat.Len())
	for _, pattern := range st.Actions {
		for _, id := range ev.cat.Expand(pattern) {
			b.set(id)
		}
	}
	if st.NotAction {
		for i := range b {
			b[i] = ^b[i]
		}
		if extra := len(b)*64 - ev.cat.Len(); extra > 0 {
			b[len(b)-1] &= ^uint64(0) >> extra
		}
	}
	return b
}

// namesSomeResource tells whether an Allow statement reaches any resource:
// a Resource entry, or a NotResource that leaves something out.
func namesSomeResource(st *Statement) bool {
	if st.NotResource {
		return !coversEverything(st.Resources)
	}
	return len(st.Resources) > 0
}

// coversEveryResourceOf tells whether Resource entries name every resource
// of a service: wildcards only, or an ARN of that service (or of any, "*")
// whose region, account and resource are wildcards or empty.
func coversEveryResourceOf(patterns []string, service string) bool {
	if coversEverything(patterns) {
		return true
	}
	for _, p := range patterns {
		f := strings.SplitN(p, ":", 6)
		if len(f) != 6 || f[0] != "arn" || f[2] != service && strings.Trim(f[2], "*") != "" {
			continue
		}
		if strings.Trim(f[3], "*") == "" && strings.Trim(f[4], "*") == "" && f[5] != "" && strings.Trim(f[5], "*") == "" {
			return true
		}
	}
	return false
}

// byService groups a set of actions by service, sharing the result with
// the principals granted the same set.
func (ev *serviceEvaluator) byService(b catalogBits) map[string][]string {
	key := make([]byte, 0, len(b)*8)
	for _, w := range b {
		for s := 0; s < 64; s += 8 {
			key = append(key, byte(w>>s))
		}
	}
	if out, ok := ev.results[string(key)]; ok {
		return out
	}
	out := map[string][]string{}
	for i := range ev.cat.Len() {
		id := ActionID(i)
		if b.has(id) {
			a := ev.cat.Action(id)
			out[a.Service] = append(out[a.Service], a.String())
		}
	}
	for _, l := range out {
		sort.Strings(l)
	}
	ev.results[string(key)] = out
	return out
}
