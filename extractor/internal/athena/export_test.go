package athena

import "strings"

// DuckDBColumns renders the CloudTrail table's columns as a read_json
// columns map with the same types in DuckDB's spelling: STRING is VARCHAR,
// STRUCT<a: T> is STRUCT("a" T), ARRAY<T> is T[].
func DuckDBColumns() string {
	p := &hiveParser{s: tableColumns}
	var cols []string
	for {
		p.space()
		if p.done() {
			break
		}
		name := p.ident()
		p.space()
		cols = append(cols, "'"+name+"': '"+p.typ()+"'")
		p.space()
		p.eat(",")
	}
	return strings.Join(cols, ", ")
}

type hiveParser struct {
	s string
	i int
}

func (p *hiveParser) done() bool { return p.i >= len(p.s) }

func (p *hiveParser) space() {
	for !p.done() && strings.ContainsRune(" \n\t", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *hiveParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *hiveParser) ident() string {
	p.space()
	start := p.i
	for !p.done() && (p.s[p.i] == '_' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *hiveParser) typ() string {
	switch t := strings.ToUpper(p.ident()); t {
	case "STRING":
		return "VARCHAR"
	case "ARRAY":
		p.eat("<")
		inner := p.typ()
		p.eat(">")
		return inner + "[]"
	case "STRUCT":
		p.eat("<")
		var fields []string
		for {
			name := p.ident()
			p.eat(":")
			fields = append(fields, `"`+name+`" `+p.typ())
			if !p.eat(",") {
				break
			}
		}
		p.eat(">")
		return "STRUCT(" + strings.Join(fields, ", ") + ")"
	default:
		panic("unknown Hive type " + t)
	}
}
