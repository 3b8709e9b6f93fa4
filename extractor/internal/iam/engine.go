package iam

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// universe is the set of actions one evaluation considers, with what each
// applies to.
type universe struct {
	ids   []ActionID
	names []string // catalog spelling, same order
	lower []string
	// object marks the actions that apply to what a resource holds (S3
	// objects): on a bucket
	// resource they are matched against the bucket's objects.
	object actionBits
	// kind masks the actions that apply to each resource kind; nil when the
	// evaluation is a simulation, which, like AWS's simulator, does not
	// filter actions by resource type.
	kind map[string]actionBits
	all  actionBits
}

func newUniverse(cat *Catalog, ids []ActionID) (*universe, error) {
	if len(ids) > maxUniverse {
		return nil, fmt.Errorf("at most %d actions can be evaluated together, not %d", maxUniverse, len(ids))
	}
	u := &universe{ids: ids}
	for i, id := range ids {
		a := cat.Action(id)
		u.names = append(u.names, a.String())
		u.lower = append(u.lower, strings.ToLower(a.String()))
		if k := activity.ResourceKindOfService(a.Service); k != nil && k.ChildType != "" && a.AppliesTo(k.ChildType) {
			u.object.set(i)
		}
		u.all.set(i)
	}
	return u, nil
}

// grantUniverse holds every catalog action that applies to a bucket, an
// object, a key or a secret.
func grantUniverse(cat *Catalog) (*universe, error) {
	var ids []ActionID
	kindOf := map[ActionID]string{}
	for _, k := range activity.ResourceKinds() {
		r := cat.services[k.Service]
		for i := r[0]; i < r[1]; i++ {
			for _, t := range k.CatalogTypes {
				if cat.actions[i].AppliesTo(t) {
					ids = append(ids, ActionID(i))
					kindOf[ActionID(i)] = k.Name
					break
				}
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	u, err := newUniverse(cat, ids)
	if err != nil {
		return nil, err
	}
	u.kind = map[string]actionBits{}
	for i, id := range ids {
		m := u.kind[kindOf[id]]
		m.set(i)
		u.kind[kindOf[id]] = m
	}
	return u, nil
}

// target is what a Resource element is matched against.
type target struct {
	arn string
	// objects is "arn:PARTITION:s3:::BUCKET/" when object actions are matched
	// against the objects of the bucket rather than the bucket's ARN.
	objects string
}

// hit says how a statement's Resource element covers a target: the ARN
// itself, some of the bucket's objects, all of them.
type hit struct{ exact, some, all bool }

func (h hit) any() bool { return h.exact || h.some }

func matchTarget(patterns []string, not bool, t target) hit {
	var h hit
	for _, p := range patterns {
		if !h.exact && globMatch(p, t.arn) {
			h.exact = true
		}
		if t.objects != "" {
			if !h.some && matchesSomeWithPrefix(p, t.objects) {
				h.some = true
			}
			if !h.all && matchesAllWithPrefix(p, t.objects) {
				h.all = true
			}
		}
	}
	if not {
		// Under NotResource the statement covers an object when no entry
		// matches it: some objects unless one entry covers them all, all
		// objects unless one entry covers some.
		h = hit{exact: !h.exact, some: t.objects != "" && !h.all, all: t.objects != "" && !h.some}
	}
	return h
}

// compiled is a statement prepared for evaluation.
type compiled struct {
	pol  *Policy
	st   *Statement
	acts actionBits
	cond bool
	// anyResource: the statement covers every ARN (Resource "*", or no
	// Resource element in a resource policy, which means its own resource).
	anyResource bool
	vars        bool // some Resource entry holds a policy variable

	once sync.Once
	hits []resourceHit // resources covered, when vars is false
}

type resourceHit struct {
	r int32
	h hit
}

// Contribution is one statement's part in a decision.
type Contribution struct {
	Ref
	// Layer is where the statement comes from: identity, boundary, scp,
	// rcp, resource.
	Layer string
	// Conditional is set when the statement has a Condition, or a policy
	// variable that cannot be resolved in advance.
	Conditional bool
	bits        actionBits
}

// layer accumulates what the statements of one policy type say about one
// principal and one resource.
type layer struct {
	allow    actionBits // allowed, conditions included
	allowU   actionBits // allowed without any condition
	deny     actionBits // denied without any condition
	condDeny actionBits // denied under a condition, or for some objects only
	has      bool       // some statement of this type applies
}

func (l *layer) merge(o *layer) {
	l.allow = l.allow.or(o.allow)
	l.allowU = l.allowU.or(o.allowU)
	l.deny = l.deny.or(o.deny)
	l.condDeny = l.condDeny.or(o.condDeny)
	l.has = l.has || o.has
}

// Engine evaluates an inventory. Build it once; it caches the work done per
// policy and per statement, so a managed policy attached to thousands of
// principals is matched against the resources once.
type Engine struct {
	cat *Catalog
	u   *universe
	inv *Inventory

	targets []target
	sorted  []int32 // resource indexes sorted by ARN
	byARN   map[string]int32

	mu       sync.Mutex
	compiled map[*Policy][]*compiled
	scps     map[string][]levelAcc
	rcps     map[string][]levelAcc
	names    map[actionBits][]string
	notes    map[string]struct{}
	// assumedKeys are the keys evaluated with the default key policy.
	assumedKeys map[string]struct{}

	// resource policies: compiled statements per resource, and which
	// resources name a principal, an account, or everyone in an Allow.
	resStmts    [][]*compiled
	resHits     [][]hit // per resource statement, its match on its resource (without variables)
	rpByARN     map[string][]int32
	rpByAccount map[string][]int32
	rpAnyone    []int32

	// ctx is the request context a simulation was given (keys in lower
	// case), nil when none: conditions are then not evaluated.
	ctx map[string][]string
	// rcpPolicies are the resource control policies, whose statements
	// follow RCP syntax.
	rcpPolicies map[*Policy]bool
}

type levelAcc struct {
	global  layer
	per     map[int32]*layer
	implied bool // no Allow statement: FullAWSAccess assumed
}

// NewEngine prepares inv for computing grants over every action that applies
// to the three resource kinds.
func NewEngine(cat *Catalog, inv *Inventory) (*Engine, error) {
	u, err := grantUniverse(cat)
	if err != nil {
		return nil, err
	}
	return newEngine(cat, u, inv, nil), nil
}

// newEngine prepares inv; ctx is a simulation's request context, nil when
// conditions are not evaluated.
func newEngine(cat *Catalog, u *universe, inv *Inventory, ctx map[string][]string) *Engine {
	e := &Engine{
		cat: cat, u: u, inv: inv, ctx: ctx,
		byARN:       make(map[string]int32, len(inv.Resources)),
		compiled:    map[*Policy][]*compiled{},
		scps:        map[string][]levelAcc{},
		rcps:        map[string][]levelAcc{},
		names:       map[actionBits][]string{},
		notes:       map[string]struct{}{},
		assumedKeys: map[string]struct{}{},
		rpByARN:     map[string][]int32{},
		rpByAccount: map[string][]int32{},
	}
	e.rcpPolicies = map[*Policy]bool{}
	for _, levels := range inv.RCPs {
		for _, level := range levels {
			for _, pol := range level {
				e.rcpPolicies[pol] = true
			}
		}
	}
	e.targets = make([]target, len(inv.Resources))
	e.sorted = make([]int32, len(inv.Resources))
	e.resStmts = make([][]*compiled, len(inv.Resources))
	e.resHits = make([][]hit, len(inv.Resources))
	for i := range inv.Resources {
		r := &inv.Resources[i]
		e.targets[i] = target{arn: r.ARN}
		if k := activity.ResourceKindNamed(r.Kind); k != nil && k.ChildType != "" {
			e.targets[i].objects = r.ARN + "/"
		}
		e.sorted[i] = int32(i)
		e.byARN[r.ARN] = int32(i)
		if r.Policy != nil {
			e.resStmts[i] = e.compile(r.Policy, true)
			e.resHits[i] = make([]hit, len(e.resStmts[i]))
			for k, c := range e.resStmts[i] {
				switch {
				case c.anyResource:
					e.resHits[i][k] = hit{exact: true, some: true, all: true}
				case !c.vars:
					e.resHits[i][k] = matchTarget(c.st.Resources, c.st.NotResource, e.targets[i])
				}
			}
			e.indexResourcePolicy(int32(i))
		}
	}
	sort.Slice(e.sorted, func(a, b int) bool {
		return inv.Resources[e.sorted[a]].ARN < inv.Resources[e.sorted[b]].ARN
	})
	return e
}

func (e *Engine) indexResourcePolicy(r int32) {
	anyone := false
	for _, c := range e.resStmts[r] {
		if c.st.Effect != Allow || c.st.Principal == nil {
			continue
		}
		if c.st.Principal.Any || c.st.NotPrincipal {
			anyone = true
			continue
		}
		for _, a := range c.st.Principal.AWS {
			if account := accountOfPrincipalEntry(a); account != "" {
				e.rpByAccount[account] = appendOnce(e.rpByAccount[account], r)
			} else if arn, err := activity.ParseARN(a); err == nil && arn.Service == "sts" {
				// A session of a role: found through the role's account.
				e.rpByAccount[arn.AccountID] = appendOnce(e.rpByAccount[arn.AccountID], r)
			} else {
				e.rpByARN[a] = appendOnce(e.rpByARN[a], r)
			}
		}
	}
	if anyone {
		e.rpAnyone = append(e.rpAnyone, r)
	}
}

func appendOnce(list []int32, r int32) []int32 {
	if n := len(list); n > 0 && list[n-1] == r {
		return list
	}
	return append(list, r)
}

// accountOfPrincipalEntry gives the account an AWS principal entry names as
// a whole (an account id or its root ARN), or "".
func accountOfPrincipalEntry(s string) string {
	if len(s) == 12 && strings.Trim(s, "0123456789") == "" {
		return s
	}
	return activity.AccountOfRootARN(s)
}

// compile prepares a policy's statements once.
func (e *Engine) compile(p *Policy, resourcePolicy bool) []*compiled {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cs, ok := e.compiled[p]; ok {
		return cs
	}
	for i := range p.Statements {
		for _, a := range p.Statements[i].Actions {
			if _, known := e.cat.Lookup(a); !known && !strings.ContainsAny(a, "*?") {
				// A misspelt or retired action grants nothing; say so
				// rather than let a policy look broader than it is.
				e.notes[fmt.Sprintf("%s statement %s: %s is not in the action catalog and matches nothing", p.Name, stmtLabel(&p.Statements[i]), a)] = struct{}{}
			}
		}
	}
	for i := range p.Statements {
		for _, r := range p.Statements[i].Resources {
			if !strings.HasPrefix(r, "arn:") && strings.HasPrefix(strings.ToLower(r), "arn:") {
				e.notes[fmt.Sprintf("%s statement %s: %s matches nothing: ARNs are case-sensitive and begin with arn: in lower case", p.Name, stmtLabel(&p.Statements[i]), r)] = struct{}{}
			}
		}
	}
	rcp := e.rcpPolicies[p]
	cs := make([]*compiled, 0, len(p.Statements))
	for i := range p.Statements {
		st := &p.Statements[i]
		c := &compiled{pol: p, st: st, cond: len(st.Condition) > 0}
		cs = append(cs, c)
		if rcp {
			if why := rcpUnsupported(st); why != "" {
				// AWS refuses such an RCP; evaluating it would deny (or
				// spare) far more than the organization could set.
				e.notes[fmt.Sprintf("resource control policy %s statement %s: %s, which AWS does not accept in an RCP; the statement is ignored", p.Name, stmtLabel(st), why)] = struct{}{}
				continue
			}
		}
		if c.cond && e.ctx != nil {
			switch evalCondition(st.Condition, e.ctx) {
			case condTrue:
				c.cond = false
			case condFalse:
				// The statement does not apply to this request.
				continue
			}
		}
		lowered := make([]string, len(st.Actions))
		for j, a := range st.Actions {
			lowered[j] = strings.ToLower(a)
		}
		for k, name := range e.u.lower {
			matched := false
			for _, a := range lowered {
				if globMatch(a, name) {
					matched = true
					break
				}
			}
			if matched != st.NotAction {
				c.acts.set(k)
			}
		}
		switch {
		case len(st.Resources) == 0:
			// A resource policy's statement without Resource covers its
			// own resource; an identity statement without one is invalid
			// and covers nothing.
			c.anyResource = resourcePolicy
		case !st.NotResource && coversEverything(st.Resources):
			c.anyResource = true
		}
		for _, r := range st.Resources {
			if strings.Contains(r, "${") {
				c.vars = true
			}
		}
	}
	e.compiled[p] = cs
	return cs
}

func coversEverything(patterns []string) bool {
	for _, p := range patterns {
		if strings.Trim(p, "*") == "" {
			return true
		}
	}
	return false
}

// candidates lists the resources a Resource entry may cover, from the sorted
// ARNs: those starting with the entry's literal prefix (cut at the bucket
// name for S3, so that bucket/* finds the bucket).
func (e *Engine) candidates(pattern string, visit func(int32)) {
	lp := literalPrefix(pattern)
	if parent := activity.ParentARN(lp); parent != "" {
		lp = parent
	}
	res := e.inv.Resources
	i := sort.Search(len(e.sorted), func(i int) bool { return res[e.sorted[i]].ARN >= lp })
	for ; i < len(e.sorted) && strings.HasPrefix(res[e.sorted[i]].ARN, lp); i++ {
		visit(e.sorted[i])
	}
}

// entries are a statement's Resource entries with policy variables resolved
// for p: firm are those that matched without a condition (none under
// NotResource when some variable is unresolved); loose adds the entries
// whose unresolved variables became *, which match under a condition.
type entries struct {
	firm, loose []string
	unresolved  []string
}

func (e *Engine) resolveEntries(c *compiled, p *PrincipalInfo) entries {
	var out entries
	for _, r := range c.st.Resources {
		res := resolveVariables(r, p, e.ctx)
		switch {
		case res.impossible:
			// The entry matches nothing: under Resource it adds nothing,
			// under NotResource it excludes nothing.
		case len(res.unresolved) > 0:
			out.loose = append(out.loose, res.pattern)
			out.unresolved = append(out.unresolved, res.unresolved...)
		default:
			out.firm = append(out.firm, res.pattern)
			out.loose = append(out.loose, res.pattern)
		}
	}
	if c.st.NotResource && len(out.unresolved) > 0 {
		// What NotResource leaves out depends on the request: all of it
		// is conditional.
		out.firm = nil
	}
	return out
}

// resourceHits lists what a statement covers among all resources, resolving
// policy variables for p: firm without a condition, loose (when some
// variable is unresolved) under one. Statements without variables are
// matched once and remembered.
func (e *Engine) resourceHits(c *compiled, p *PrincipalInfo) (firm, loose []resourceHit, unresolved []string) {
	if !c.vars {
		c.once.Do(func() { c.hits = e.matchAll(c.st.Resources, c.st.NotResource) })
		return c.hits, nil, nil
	}
	en := e.resolveEntries(c, p)
	if len(en.firm) > 0 || (c.st.NotResource && len(en.unresolved) == 0) {
		firm = e.matchAll(en.firm, c.st.NotResource)
	}
	if len(en.unresolved) > 0 {
		loose = e.matchAll(en.loose, c.st.NotResource)
	}
	return firm, loose, en.unresolved
}

func (e *Engine) matchAll(patterns []string, not bool) []resourceHit {
	var out []resourceHit
	check := func(r int32) {
		if h := matchTarget(patterns, not, e.targets[r]); h.any() {
			out = append(out, resourceHit{r, h})
		}
	}
	if not {
		for r := range e.targets {
			check(int32(r))
		}
		return out
	}
	seen := map[int32]bool{}
	for _, p := range patterns {
		e.candidates(p, func(r int32) {
			if !seen[r] {
				seen[r] = true
				check(r)
			}
		})
	}
	return out
}

// add folds one statement's effect on one target into a layer.
func (e *Engine) add(l *layer, c *compiled, h hit, t target, conditional bool, trace *[]Contribution, name string) {
	var full, partial actionBits
	acts := c.acts
	if t.objects == "" {
		if h.exact {
			full = acts
		}
	} else {
		if h.exact {
			full = acts.andNot(e.u.object)
		}
		objects := acts.and(e.u.object)
		if c.st.Effect == Allow && h.some || c.st.Effect == Deny && h.all {
			full = full.or(objects)
		} else if c.st.Effect == Deny && h.some {
			partial = objects
		}
	}
	if full.empty() && partial.empty() {
		return
	}
	conditional = conditional || c.cond
	l.has = true
	if c.st.Effect == Allow {
		l.allow = l.allow.or(full)
		if !conditional {
			l.allowU = l.allowU.or(full)
		}
	} else if conditional {
		l.condDeny = l.condDeny.or(full).or(partial)
	} else {
		l.deny = l.deny.or(full)
		l.condDeny = l.condDeny.or(partial)
	}
	if trace != nil {
		*trace = append(*trace, Contribution{Ref: c.st.Ref(c.pol), Layer: name,
			Conditional: conditional || !partial.empty(), bits: full.or(partial)})
	}
}

func (e *Engine) note(format string, args ...any) {
	e.mu.Lock()
	e.notes[fmt.Sprintf(format, args...)] = struct{}{}
	e.mu.Unlock()
}

// Notes are the approximations evaluation made (unresolved policy
// variables, assumed key policies), sorted, each once.
func (e *Engine) Notes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.notes)+1)
	for n := range e.notes {
		out = append(out, n)
	}
	sort.Strings(out)
	if len(e.assumedKeys) > 0 {
		keys := make([]string, 0, len(e.assumedKeys))
		for k := range e.assumedKeys {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		list := strings.Join(keys, ", ")
		if len(keys) > 3 {
			list = strings.Join(keys[:3], ", ") + fmt.Sprintf(" and %d more", len(keys)-3)
		}
		out = append(out, fmt.Sprintf("%d KMS keys with an unknown key policy were evaluated with the default key policy, which delegates to the account's IAM policies: %s", len(keys), list))
	}
	return out
}

// identity gathers what a set of identity policies (or a boundary) says
// about each resource: global holds the statements that cover every
// resource, per the others.
func (e *Engine) identity(p *PrincipalInfo, pols []*Policy, name string, trace *[]Contribution) (global layer, per map[int32]*layer) {
	per = map[int32]*layer{}
	for _, pol := range pols {
		for _, c := range e.compile(pol, false) {
			if c.acts.empty() {
				continue
			}
			if c.anyResource {
				e.add(&global, c, hit{exact: true, some: true, all: true}, target{arn: "*", objects: "*"}, false, trace, name)
				continue
			}
			firm, loose, unresolved := e.resourceHits(c, p)
			for _, v := range unresolved {
				e.note("%s statement %s: %s cannot be known in advance; treated as any value (granted under a condition)", pol.Name, stmtLabel(c.st), v)
			}
			for i, hits := range [][]resourceHit{firm, loose} {
				for _, rh := range hits {
					l := per[rh.r]
					if l == nil {
						l = &layer{}
						per[rh.r] = l
					}
					e.add(l, c, rh.h, e.targets[rh.r], i == 1, trace, name)
				}
			}
		}
	}
	return global, per
}

func stmtLabel(s *Statement) string {
	if s.Sid != "" {
		return fmt.Sprintf("%q", s.Sid)
	}
	return fmt.Sprintf("#%d", s.Index)
}

// orgLevels gathers SCPs of a principal's account or RCPs of a resource's
// account, once per account.
func (e *Engine) orgLevels(cache map[string][]levelAcc, levels [][]*Policy, account, name string, trace *[]Contribution) []levelAcc {
	if trace == nil {
		e.mu.Lock()
		cached, ok := cache[account]
		e.mu.Unlock()
		if ok {
			return cached
		}
	}
	out := make([]levelAcc, 0, len(levels))
	for _, pols := range levels {
		g, per := e.identity(&PrincipalInfo{AccountID: account}, pols, name, trace)
		implied := true
		for _, pol := range pols {
			for _, st := range pol.Statements {
				if st.Effect == Allow {
					implied = false
				}
			}
		}
		out = append(out, levelAcc{global: g, per: per, implied: implied})
	}
	if trace == nil {
		e.mu.Lock()
		cache[account] = out
		e.mu.Unlock()
	}
	return out
}

// Grant is what one principal may do on one resource.
type Grant struct {
	Principal int // index in Inventory.Principals
	Resource  int // index in Inventory.Resources
	// Actions are the granted actions in catalog spelling, sorted;
	// Conditional those of them granted only under a condition. Slices are
	// shared between grants with the same sets: do not modify them.
	Actions     []string
	Conditional []string
}

// Grants evaluates every principal against every resource and calls fn for
// each pair with at least one granted action, principal by principal, in
// inventory order. Principals are evaluated in parallel, a few at a time, so
// memory stays bounded by what those few are granted.
func (e *Engine) Grants(ctx context.Context, fn func(Grant) error) error {
	type pair struct {
		r             int32
		granted, cond actionBits
	}
	workers := runtime.GOMAXPROCS(0)
	chunk := 4 * workers
	results := make([][]pair, chunk)
	for first := 0; first < len(e.inv.Principals); first += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(first+chunk, len(e.inv.Principals))
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for pi := range next {
					var out []pair
					e.principalGrants(pi, func(r int32, granted, cond actionBits) {
						out = append(out, pair{r, granted, cond})
					})
					results[pi-first] = out
				}
			}()
		}
		for pi := first; pi < end; pi++ {
			next <- pi
		}
		close(next)
		wg.Wait()
		for pi := first; pi < end; pi++ {
			for _, p := range results[pi-first] {
				if err := fn(Grant{Principal: pi, Resource: int(p.r), Actions: e.namesOf(p.granted), Conditional: e.namesOf(p.cond)}); err != nil {
					return err
				}
			}
			results[pi-first] = nil
		}
	}
	return nil
}

func (e *Engine) namesOf(b actionBits) []string {
	if b.empty() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n, ok := e.names[b]; ok {
		return n
	}
	n := make([]string, 0, b.count())
	for i := range e.u.ids {
		if b.has(i) {
			n = append(n, e.u.names[i])
		}
	}
	sort.Strings(n)
	e.names[b] = n
	return n
}

// pairResult is the evaluation of one principal on one resource.
type pairResult struct {
	granted, conditional, denied actionBits
	idAllow, boundaryAllow       actionBits // before caps, for explanations
	resAllow, resAccount         actionBits
	resRoleARN                   actionBits // what the resource policy grants to the principal's ARN
	scpAllow, rcpAllow           actionBits
	crossAccount, hasBoundary    bool
	keyPolicyAssumed             bool
}

func (e *Engine) principalGrants(pi int, emit func(r int32, granted, cond actionBits)) {
	p := &e.inv.Principals[pi]
	idG, idPer := e.identity(p, p.Policies, "identity", nil)
	var bG layer
	var bPer map[int32]*layer
	if p.Boundary != nil {
		bG, bPer = e.identity(p, []*Policy{p.Boundary}, "boundary", nil)
	}
	scps := e.orgLevels(e.scps, e.inv.SCPs[p.AccountID], p.AccountID, "scp", nil)

	var cands []int32
	if !idG.allow.empty() {
		cands = make([]int32, len(e.targets))
		for i := range cands {
			cands[i] = int32(i)
		}
	} else {
		seen := map[int32]bool{}
		addAll := func(list []int32) {
			for _, r := range list {
				if !seen[r] {
					seen[r] = true
					cands = append(cands, r)
				}
			}
		}
		for r, l := range idPer {
			if !l.allow.empty() && !seen[r] {
				seen[r] = true
				cands = append(cands, r)
			}
		}
		addAll(e.rpByARN[p.ARN])
		addAll(e.rpByAccount[p.AccountID])
		addAll(e.rpAnyone)
		sort.Slice(cands, func(i, j int) bool { return cands[i] < cands[j] })
	}
	for _, r := range cands {
		res := e.evalPair(p, r, &idG, idPer[r], &bG, bPer[r], scps, nil)
		if !res.granted.empty() {
			emit(r, res.granted, res.conditional)
		}
	}
}

// evalPair applies AWS's evaluation logic to one principal and one resource.
func (e *Engine) evalPair(p *PrincipalInfo, r int32, idG *layer, idR *layer, bG *layer, bR *layer, scps []levelAcc, trace *[]Contribution) pairResult {
	res := &e.inv.Resources[r]
	t := e.targets[r]
	id := *idG
	if idR != nil {
		id.merge(idR)
	}
	hasBoundary := p.Boundary != nil
	var b layer
	if hasBoundary {
		b = *bG
		if bR != nil {
			b.merge(bR)
		}
	}
	mask := e.u.all
	if e.u.kind != nil {
		mask = e.u.kind[res.Kind]
	}

	deny := id.deny.or(b.deny)
	condDeny := id.condDeny.or(b.condDeny)
	scpAll, scpU := e.u.all, e.u.all
	for _, lv := range scps {
		l := lv.global
		if pl := lv.per[r]; pl != nil {
			l.merge(pl)
		}
		deny, condDeny = deny.or(l.deny), condDeny.or(l.condDeny)
		if !lv.implied {
			scpAll, scpU = scpAll.and(l.allow), scpU.and(l.allowU)
		}
	}
	rcpAll, rcpU := e.u.all, e.u.all
	if res.AccountID != "" {
		for _, lv := range e.orgLevels(e.rcps, e.inv.RCPs[res.AccountID], res.AccountID, "rcp", trace) {
			l := lv.global
			if pl := lv.per[r]; pl != nil {
				l.merge(pl)
			}
			deny, condDeny = deny.or(l.deny), condDeny.or(l.condDeny)
			if !lv.implied {
				rcpAll, rcpU = rcpAll.and(l.allow), rcpU.and(l.allowU)
			}
		}
	}

	// The resource policy, split by how it names the principal: its ARN,
	// the principal that makes the request (everyone, or a role session),
	// or its account.
	var direct, session, account layer
	for k, c := range e.resStmts[r] {
		m, mCond := e.principalMatch(c.st, p)
		if m == matchNone || c.acts.empty() {
			continue
		}
		type match struct {
			h           hit
			conditional bool
		}
		matches := []match{{e.resHits[r][k], false}}
		if c.vars && !c.anyResource {
			en := e.resolveEntries(c, p)
			matches = matches[:0]
			if len(en.firm) > 0 || (c.st.NotResource && len(en.unresolved) == 0) {
				matches = append(matches, match{matchTarget(en.firm, c.st.NotResource, t), false})
			}
			if len(en.unresolved) > 0 {
				matches = append(matches, match{matchTarget(en.loose, c.st.NotResource, t), true})
			}
		}
		for _, mt := range matches {
			if !mt.h.any() {
				continue
			}
			cond := mt.conditional || mCond
			switch {
			case c.st.Effect == Deny:
				var l layer
				e.add(&l, c, mt.h, t, cond, trace, "resource")
				deny, condDeny = deny.or(l.deny), condDeny.or(l.condDeny)
			case m == matchDirect:
				e.add(&direct, c, mt.h, t, cond, trace, "resource")
			case m == matchSession:
				e.add(&session, c, mt.h, t, cond, trace, "resource")
			default:
				e.add(&account, c, mt.h, t, cond, trace, "resource")
			}
		}
	}

	cross := res.AccountID != "" && res.AccountID != p.AccountID
	keyAssumed := false
	if res.Kind == activity.KindKMSKey && res.Policy == nil && !cross {
		// Without a readable key policy, assume the default one: it lets
		// the account's IAM policies decide.
		keyAssumed = true
		account.allow, account.allowU = e.u.all, e.u.all
		e.mu.Lock()
		e.assumedKeys[res.ARN] = struct{}{}
		e.mu.Unlock()
	}

	combine := func(idAllow, bAllow, scp, rcp, dir, sess, acct actionBits) actionBits {
		capRes := scp
		idA := idAllow.and(scp)
		if hasBoundary {
			idA = idA.and(bAllow)
			if p.Kind == activity.KindIAMRole {
				// A boundary limits what a resource policy grants to a
				// role's ARN; for a user it does not, nor for what it
				// grants to the role session directly.
				capRes = capRes.and(bAllow)
			}
		}
		sess = sess.and(scp)
		var g actionBits
		switch {
		case res.Kind == activity.KindKMSKey && !cross:
			// The key policy must allow the principal, or delegate to
			// the account so that IAM policies count.
			g = dir.and(capRes).or(sess).or(idA.and(acct))
		case cross:
			g = idA.and(dir.or(sess).or(acct))
		default:
			g = idA.or(dir.and(capRes)).or(sess)
		}
		return g.and(rcp).and(mask)
	}
	all := combine(id.allow, b.allow, scpAll, rcpAll, direct.allow, session.allow, account.allow)
	uncond := combine(id.allowU, b.allowU, scpU, rcpU, direct.allowU, session.allowU, account.allowU)
	granted := all.andNot(deny)
	return pairResult{
		granted:       granted,
		conditional:   granted.andNot(uncond.andNot(condDeny)),
		denied:        deny.and(mask),
		idAllow:       id.allow,
		boundaryAllow: b.allow,
		resAllow:      direct.allow.or(session.allow),
		resRoleARN:    direct.allow,
		resAccount:    account.allow,
		scpAllow:      scpAll,
		rcpAllow:      rcpAll,
		crossAccount:  cross,
		hasBoundary:   hasBoundary,

		keyPolicyAssumed: keyAssumed,
	}
}

type principalMatchKind int

const (
	matchNone principalMatchKind = iota
	// matchDirect: the statement names the principal's ARN.
	matchDirect
	// matchSession: the statement names whoever makes the request
	// ("*", or NotPrincipal) or a session of the role: it grants to the
	// session, and a permissions boundary does not limit it.
	matchSession
	matchAccount
)

// principalMatch tells whether a resource-policy statement applies to p, and
// how it names it; conditional is set when it names one session of a role,
// which depends on the session name.
func (e *Engine) principalMatch(st *Statement, p *PrincipalInfo) (m principalMatchKind, conditional bool) {
	pr := st.Principal
	if pr == nil {
		return matchNone, false
	}
	if st.NotPrincipal {
		// AWS checks the account, then the principal: a principal is
		// exempt only when both are listed, and never when it has a
		// permissions boundary.
		arnListed, accountListed := false, false
		for _, a := range pr.AWS {
			switch {
			case a == p.ARN:
				arnListed = true
			case accountOfPrincipalEntry(a) == p.AccountID:
				accountListed = true
			}
		}
		if arnListed && accountListed && p.Boundary == nil {
			return matchNone, false
		}
		return matchSession, false
	}
	if pr.Any {
		return matchSession, false
	}
	m = matchNone
	for _, a := range pr.AWS {
		if a == p.ARN {
			return matchDirect, false
		}
		if sessionOf(a, p) {
			m, conditional = matchSession, true
			continue
		}
		if m == matchNone && accountOfPrincipalEntry(a) == p.AccountID {
			m = matchAccount
		}
	}
	return m, conditional
}

// sessionOf tells whether a principal entry is a session of role p:
// arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION.
func sessionOf(entry string, p *PrincipalInfo) bool {
	if p.Kind != activity.KindIAMRole {
		return false
	}
	a, err := activity.ParseARN(entry)
	if err != nil || a.Service != "sts" || a.AccountID != p.AccountID {
		return false
	}
	name, ok := strings.CutPrefix(a.Resource, "assumed-role/")
	if !ok {
		return false
	}
	role, _, ok := strings.Cut(name, "/")
	return ok && role == p.Name
}

// rcpUnsupported says what in a statement AWS does not accept in a resource
// control policy: NotAction, or Action "*" (only AWS's RCPFullAWSAccess,
// an Allow of "*" to everyone on everything, uses it), or "".
func rcpUnsupported(st *Statement) string {
	if st.NotAction {
		return "it uses NotAction"
	}
	if st.Effect == Allow && len(st.Condition) == 0 && st.Principal != nil && st.Principal.Any && !st.NotPrincipal && !st.NotResource && coversEverything(st.Resources) {
		return ""
	}
	for _, a := range st.Actions {
		if a == "*" {
			return `its Action is "*"`
		}
	}
	return ""
}
