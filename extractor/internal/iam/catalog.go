package iam

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./internal/cataloggen -in ../../../../shared/data/iam/service-authorization.json -overrides ../../../../shared/data/iam/access-level-overrides.json -out catalog.tsv

//go:embed catalog.tsv
var catalogData string

// ActionID numbers an action of a catalog.
type ActionID int32

// Action is one IAM action of the catalog.
type Action struct {
	Service string // lowercase service prefix: s3
	Name    string // spelled as the Service Authorization Reference spells it: GetObject
	// Level is the access level: List, Read, Write, Permissions management or Tagging.
	Level string
	// ResourceTypes are the resource types the action applies to, as the
	// reference names them (bucket, object, key, Secret); none for actions
	// that take only "*".
	ResourceTypes []string
}

// String is the catalog spelling, service:Action.
func (a Action) String() string { return a.Service + ":" + a.Name }

// AppliesTo tells whether the action applies to a resource type.
func (a Action) AppliesTo(resourceType string) bool {
	for _, t := range a.ResourceTypes {
		if t == resourceType {
			return true
		}
	}
	return false
}

// Catalog is the set of known actions.
type Catalog struct {
	actions  []Action // sorted by service, then lowercase name
	lower    []string // lowercase service:name, same order
	byLower  map[string]ActionID
	services map[string][2]int // service → [first, end) in actions
	arns     map[string]string // "service/type" → ARN pattern
}

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := ParseCatalog(catalogData)
	if err != nil {
		panic("iam: embedded catalog: " + err.Error())
	}
	return c
})

// DefaultCatalog is the catalog generated from the Service Authorization
// Reference and embedded in the program.
func DefaultCatalog() *Catalog { return defaultCatalog() }

// ParseCatalog reads the catalog format cataloggen writes.
func ParseCatalog(data string) (*Catalog, error) {
	c := &Catalog{byLower: map[string]ActionID{}, services: map[string][2]int{}, arns: map[string]string{}}
	service := ""
	for n, line := range strings.Split(data, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		switch {
		case f[0] == "s" && len(f) == 2:
			service = f[1]
		case f[0] == "a" && len(f) == 4 && service != "":
			a := Action{Service: service, Name: f[1], Level: f[2]}
			if f[3] != "" {
				a.ResourceTypes = strings.Split(f[3], ",")
			}
			c.actions = append(c.actions, a)
		case f[0] == "r" && len(f) == 3 && service != "":
			c.arns[service+"/"+f[1]] = f[2]
		default:
			return nil, fmt.Errorf("line %d: unexpected %q", n+1, line)
		}
	}
	sort.SliceStable(c.actions, func(i, j int) bool {
		if c.actions[i].Service != c.actions[j].Service {
			return c.actions[i].Service < c.actions[j].Service
		}
		return strings.ToLower(c.actions[i].Name) < strings.ToLower(c.actions[j].Name)
	})
	c.lower = make([]string, len(c.actions))
	for i, a := range c.actions {
		l := strings.ToLower(a.String())
		if _, dup := c.byLower[l]; dup {
			return nil, fmt.Errorf("action %s appears twice", a)
		}
		c.lower[i] = l
		c.byLower[l] = ActionID(i)
		r := c.services[a.Service]
		if r[1] == 0 {
			r[0] = i
		}
		r[1] = i + 1
		c.services[a.Service] = r
	}
	return c, nil
}

// Len is the number of actions.
func (c *Catalog) Len() int { return len(c.actions) }

// Action returns the action with that id.
func (c *Catalog) Action(id ActionID) Action { return c.actions[id] }

// Lookup finds an action by name, case-insensitively, as IAM matches them.
func (c *Catalog) Lookup(name string) (ActionID, bool) {
	id, ok := c.byLower[strings.ToLower(name)]
	return id, ok
}

// ResourceARN is the ARN pattern of a service's resource type, as the
// reference writes it (arn:${Partition}:s3:::${BucketName}), or "".
func (c *Catalog) ResourceARN(service, resourceType string) string {
	return c.arns[service+"/"+resourceType]
}

// Expand lists the actions an Action element entry names: an exact name or a
// pattern with * and ?, matched case-insensitively.
func (c *Catalog) Expand(pattern string) []ActionID {
	p := strings.ToLower(pattern)
	if p == "*" {
		all := make([]ActionID, len(c.actions))
		for i := range all {
			all[i] = ActionID(i)
		}
		return all
	}
	svc, _, ok := strings.Cut(p, ":")
	if !ok {
		return nil
	}
	first, end := 0, len(c.actions)
	if !strings.ContainsAny(svc, "*?") {
		r, known := c.services[svc]
		if !known {
			return nil
		}
		first, end = r[0], r[1]
	}
	if !strings.ContainsAny(p, "*?") {
		if id, ok := c.byLower[p]; ok {
			return []ActionID{id}
		}
		return nil
	}
	var out []ActionID
	for i := first; i < end; i++ {
		if globMatch(p, c.lower[i]) {
			out = append(out, ActionID(i))
		}
	}
	return out
}
