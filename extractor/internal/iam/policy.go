package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Effect is a statement's Effect.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed policy document with the name it is reported under.
type Policy struct {
	// Name identifies the policy in explanations: a managed policy's ARN, or
	// the owner and name of an inline policy ("user/alice inline s3-read"),
	// or the resource of a resource policy.
	Name       string
	Version    string
	ID         string
	Statements []Statement
	// Document is the policy as JSON (decoded when it came URL-encoded).
	Document string
}

// Statement is one statement of a policy.
type Statement struct {
	Index  int // position in the Statement list, from 0
	Sid    string
	Effect Effect
	// Actions are the Action entries, or the NotAction entries when
	// NotAction is set.
	Actions   []string
	NotAction bool
	// Resources are the Resource entries, or the NotResource entries when
	// NotResource is set. Empty in a resource policy that names none.
	Resources   []string
	NotResource bool
	// Principal is set in resource policies, trust policies and SCP-like
	// documents that carry a Principal or NotPrincipal element.
	Principal    *Principal
	NotPrincipal bool
	// Condition is kept as written: operator → key → values.
	Condition map[string]map[string][]string
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	Any           bool // "*" or {"AWS": "*"}
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Ref names a statement in explanations: the policy and the Sid, or the
// index when the statement has no Sid.
type Ref struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Index  int    `json:"index"`
	Effect Effect `json:"effect"`
}

// Ref is the statement's reference inside policy p.
func (s *Statement) Ref(p *Policy) Ref {
	return Ref{Policy: p.Name, Sid: s.Sid, Index: s.Index, Effect: s.Effect}
}

// ParseError is a policy that cannot be read, with where in the document.
type ParseError struct {
	Policy string // the policy's name
	Path   string // where in the document: Statement[2].Action
	Err    error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("policy %q: %s", e.Policy, e.Detail())
}

// Detail is what is wrong and where, without the policy's name.
func (e *ParseError) Detail() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// ErrorDetail is what is wrong with a policy that could not be read, without
// its name when err says where.
func ErrorDetail(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Detail()
	}
	return err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParsePolicy reads a policy document as IAM, S3, KMS, Secrets Manager or
// Organizations return it: JSON, possibly URL-encoded (IAM's APIs encode
// documents), possibly a JSON string holding the document.
func ParsePolicy(name string, doc []byte) (*Policy, error) {
	doc = bytes.TrimSpace(doc)
	if len(doc) > 0 && doc[0] == '%' {
		dec, err := url.QueryUnescape(string(doc))
		if err != nil {
			return nil, &ParseError{Policy: name, Err: fmt.Errorf("URL-encoded document: %w", err)}
		}
		doc = bytes.TrimSpace([]byte(dec))
	}
	if len(doc) > 0 && doc[0] == '"' {
		var inner string
		if err := json.Unmarshal(doc, &inner); err != nil {
			return nil, &ParseError{Policy: name, Err: err}
		}
		return ParsePolicy(name, []byte(inner))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, &ParseError{Policy: name, Err: fmt.Errorf("not a JSON object: %w", err)}
	}
	p := &Policy{Name: name, Document: string(doc)}
	for k, v := range top {
		var err error
		switch k {
		case "Version":
			err = json.Unmarshal(v, &p.Version)
		case "Id":
			err = json.Unmarshal(v, &p.ID)
		case "Statement":
			p.Statements, err = parseStatements(v)
		default:
			err = fmt.Errorf("unknown element %q", k)
		}
		if err != nil {
			var pe *ParseError
			if asParseError(err, &pe) {
				pe.Policy = name
				pe.Path = "Statement" + pe.Path
				return nil, pe
			}
			return nil, &ParseError{Policy: name, Path: k, Err: err}
		}
	}
	if _, ok := top["Statement"]; !ok {
		return nil, &ParseError{Policy: name, Err: fmt.Errorf("no Statement element")}
	}
	return p, nil
}

func asParseError(err error, target **ParseError) bool {
	return errors.As(err, target)
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '{' {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("expected an object or a list of objects")
	}
	out := make([]Statement, 0, len(items))
	for i, item := range items {
		s, field, err := parseStatement(item)
		if err != nil {
			path := "[" + strconv.Itoa(i) + "]"
			if field != "" {
				path += "." + field
			}
			return nil, &ParseError{Path: path, Err: err}
		}
		s.Index = i
		out = append(out, s)
	}
	return out, nil
}

// parseStatement returns the field at fault with its error.
func parseStatement(raw json.RawMessage) (Statement, string, error) {
	var s Statement
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return s, "", fmt.Errorf("expected an object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.Sid)
		case "Effect":
			var e string
			if err = json.Unmarshal(v, &e); err == nil {
				switch e {
				case "Allow", "Deny":
					s.Effect = Effect(e)
				default:
					err = fmt.Errorf("%q is neither Allow nor Deny", e)
				}
			}
		case "Action", "NotAction":
			s.Actions, err = stringOrList(v)
			s.NotAction = k == "NotAction"
		case "Resource", "NotResource":
			s.Resources, err = stringOrList(v)
			s.NotResource = k == "NotResource"
		case "Principal", "NotPrincipal":
			s.Principal, err = parsePrincipal(v)
			s.NotPrincipal = k == "NotPrincipal"
		case "Condition":
			s.Condition, err = parseCondition(v)
		default:
			err = fmt.Errorf("unknown element")
		}
		if err != nil {
			var ie *indexError
			if errors.As(err, &ie) {
				return s, k + "[" + strconv.Itoa(ie.index) + "]", ie.err
			}
			return s, k, err
		}
	}
	switch {
	case s.Effect == "":
		return s, "Effect", fmt.Errorf("missing")
	case m["Action"] != nil && m["NotAction"] != nil:
		return s, "NotAction", fmt.Errorf("a statement has Action or NotAction, not both")
	case m["Resource"] != nil && m["NotResource"] != nil:
		return s, "NotResource", fmt.Errorf("a statement has Resource or NotResource, not both")
	case m["Principal"] != nil && m["NotPrincipal"] != nil:
		return s, "NotPrincipal", fmt.Errorf("a statement has Principal or NotPrincipal, not both")
	case len(s.Actions) == 0:
		return s, "Action", fmt.Errorf("missing or empty")
	}
	for i, a := range s.Actions {
		if a != "*" && !strings.Contains(a, ":") {
			field := "Action"
			if s.NotAction {
				field = "NotAction"
			}
			return s, field + "[" + strconv.Itoa(i) + "]", fmt.Errorf("%q is not service:action", a)
		}
	}
	return s, "", nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("expected a string or a list of strings")
	}
	list := make([]string, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &list[i]); err != nil {
			return nil, &indexError{index: i, err: fmt.Errorf("expected a string, not %s", bytes.TrimSpace(item))}
		}
	}
	return list, nil
}

// indexError is a bad entry of a list, by position.
type indexError struct {
	index int
	err   error
}

func (e *indexError) Error() string { return fmt.Sprintf("[%d]: %v", e.index, e.err) }

func parsePrincipal(raw json.RawMessage) (*Principal, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s == "*" {
			return &Principal{Any: true}, nil
		}
		// S3 accepts a bare ARN or account id for {"AWS": ...}, and real
		// bucket policies use it.
		if strings.HasPrefix(s, "arn:") || accountOfPrincipalEntry(s) != "" {
			return &Principal{AWS: []string{s}}, nil
		}
		return nil, fmt.Errorf(`a string principal must be "*" or an AWS ARN, not %q`, s)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf(`expected "*" or an object such as {"AWS": [...]}`)
	}
	p := &Principal{}
	for k, v := range m {
		list, err := stringOrList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		switch k {
		case "AWS":
			for _, a := range list {
				if a == "*" {
					p.Any = true
				} else {
					p.AWS = append(p.AWS, a)
				}
			}
		case "Service":
			p.Service = append(p.Service, list...)
		case "Federated":
			p.Federated = append(p.Federated, list...)
		case "CanonicalUser":
			p.CanonicalUser = append(p.CanonicalUser, list...)
		default:
			return nil, fmt.Errorf("unknown principal type %q", k)
		}
	}
	return p, nil
}

func parseCondition(raw json.RawMessage) (map[string]map[string][]string, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("expected {operator: {key: value or values}}")
	}
	out := make(map[string]map[string][]string, len(m))
	for op, keys := range m {
		out[op] = make(map[string][]string, len(keys))
		for k, v := range keys {
			vals, err := conditionValues(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", op, k, err)
			}
			out[op][k] = vals
		}
	}
	return out, nil
}

// conditionValues keeps condition values as text: strings, numbers and
// booleans are all written as JSON scalars, alone or in a list.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	} else {
		list = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		var v any
		if err := json.Unmarshal(item, &v); err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case float64, bool:
			out = append(out, string(bytes.TrimSpace(item)))
		default:
			return nil, fmt.Errorf("expected strings, numbers or booleans")
		}
	}
	return out, nil
}

// ParseResourcePolicy reads a resource policy as it is saved from the CLI:
// the document itself, or the answer of get-bucket-policy / get-key-policy
// ({"Policy": "..."}, as Lambda's get-policy and DynamoDB's
// get-resource-policy too), of Secrets Manager's get-resource-policy
// ({"ResourcePolicy": "...", ...}), or of SQS's get-queue-attributes and
// SNS's get-topic-attributes ({"Attributes": {"Policy": "...", ...}}).
func ParseResourcePolicy(name string, b []byte) (*Policy, error) {
	var wrapper struct {
		Policy         *string `json:"Policy"`
		ResourcePolicy *string `json:"ResourcePolicy"`
		// SQS and SNS give the policy as an attribute.
		Attributes *struct {
			Policy *string `json:"Policy"`
		} `json:"Attributes"`
	}
	if json.Unmarshal(b, &wrapper) == nil {
		switch {
		case wrapper.Policy != nil:
			return ParsePolicy(name, []byte(*wrapper.Policy))
		case wrapper.ResourcePolicy != nil:
			return ParsePolicy(name, []byte(*wrapper.ResourcePolicy))
		case wrapper.Attributes != nil && wrapper.Attributes.Policy != nil:
			return ParsePolicy(name, []byte(*wrapper.Attributes.Policy))
		}
	}
	return ParsePolicy(name, b)
}
