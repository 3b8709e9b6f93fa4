// Package athena is the extract step run by Amazon Athena: it creates a
// CloudTrail table with partition projection over a trail's S3 location,
// runs one aggregation query over the days of the window not loaded yet,
// and loads the aggregated rows into the store's usage tables.
//
// The query does not map events itself. It groups the events of each day by
// exactly the fields cloudtrail.MapRecord reads (reduced to what the mapping
// looks at: a bucket, not an object key; whether a version was named, not
// which), so that each group maps to the same principal, resources and
// actions; the loader then maps each group with cloudtrail.MapRecord and
// folds it the way the local engine folds events. Attribution, resource
// extraction and the event→action table stay defined once, in Go.
package athena

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Dialect renders the few functions whose names differ between the SQL
// engines the query runs on.
type Dialect struct {
	Name string
	// jsonString extracts a scalar as text from a JSON document held as a
	// string, at a JSON path.
	jsonString string
	// keyPath is how a JSON path names an object key.
	keyPath func(key string) string
	// joinList renders a list made by mapping each element x of list
	// through expr (NULL results left out), joined by sep.
	joinList func(list, expr, sep string) string
	// joinDistinct renders the aggregate of the distinct values of expr in
	// a group, joined by sep, in any order.
	joinDistinct func(expr, sep string) string
}

// Athena is Amazon Athena's engine (Trino).
var Athena = Dialect{
	Name:       "athena",
	jsonString: "json_extract_scalar",
	keyPath:    func(k string) string { return `["` + k + `"]` },
	joinList: func(list, expr, sep string) string {
		return "array_join(filter(transform(" + list + ", x -> " + expr + "), x -> x IS NOT NULL), " + sep + ")"
	},
	joinDistinct: func(expr, sep string) string { return "array_join(array_agg(DISTINCT " + expr + "), " + sep + ")" },
}

// DuckDB is the engine the equivalence test runs the same query on.
var DuckDB = Dialect{
	Name:       "duckdb",
	jsonString: "json_extract_string",
	keyPath:    func(k string) string { return `."` + k + `"` },
	joinList: func(list, expr, sep string) string {
		return "array_to_string(list_filter(list_transform(" + list + ", lambda x: " + expr + "), lambda x: x IS NOT NULL), " + sep + ")"
	},
	joinDistinct: func(expr, sep string) string { return "array_to_string(list(DISTINCT " + expr + "), " + sep + ")" },
}

// jsonField is a string field of a JSON column, empty when absent.
func (d Dialect) jsonField(column string, keys ...string) string {
	path := "$"
	for _, k := range keys {
		path += d.keyPath(k)
	}
	return "coalesce(" + d.jsonString + "(" + column + ", '" + path + "'), '')"
}

// Field and record separators of the resources column: characters that
// cannot occur in ARNs, account ids or resource types.
const (
	fieldSep  = "\x1f"
	recordSep = "\x1e"
)

// column is one grouping column of the query: its name in the results and
// the expression that computes it from the CloudTrail table.
type column struct {
	name string
	expr func(d Dialect) string
}

func plain(expr string) func(Dialect) string {
	return func(Dialect) string { return "coalesce(" + expr + ", '')" }
}

func request(keys ...string) func(Dialect) string {
	return func(d Dialect) string { return d.jsonField("requestparameters", keys...) }
}

func response(keys ...string) func(Dialect) string {
	return func(d Dialect) string { return d.jsonField("responseelements", keys...) }
}

// only keeps a field where the mapping reads it (cloudtrail.mapUses reads
// buckets for S3, keys for KMS, secrets for Secrets Manager; mapSAML reads
// the request and response of SAML federation) and empties it elsewhere, so
// that fields nobody reads (a session name in every AssumeRole, a parameter
// name in every SSM call) do not split the groups.
func only(when string, expr func(Dialect) string) func(Dialect) string {
	return func(d Dialect) string { return "CASE WHEN " + when + " THEN " + expr(d) + " ELSE '' END" }
}

// service is the condition that an event's IAM service prefix (the first
// label of eventsource, as cloudtrail.Service has it) is one of svcs.
func service(svcs ...string) string {
	var q []string
	for _, s := range svcs {
		q = append(q, quoteString(s))
	}
	return "lower(split_part(eventsource, '.', 1)) IN (" + strings.Join(q, ", ") + ")"
}

const samlUser = "useridentity.type = 'SAMLUser'"

// groupColumns are the fields cloudtrail.MapRecord reads, plus the day and
// the partition's account and region (which name an event's account and
// region when the record does not). Loader.record reads them back by name.
// The fields that name a resource, and the resources[] types the mapping
// reads, come from the registry of resource kinds.
var groupColumns = slices.Concat([]column{
	{"day", plain("substr(eventtime, 1, 10)")},
	{"partition_account", plain("account")},
	{"partition_region", plain("region")},
	{"recipientaccountid", plain("recipientaccountid")},
	{"awsregion", plain("awsregion")},
	{"eventsource", plain("eventsource")},
	{"eventname", plain("eventname")},
	{"errorcode", plain("errorcode")},
	{"identity_type", plain("useridentity.type")},
	{"identity_arn", plain("useridentity.arn")},
	{"identity_accountid", plain("useridentity.accountid")},
	{"identity_username", plain("useridentity.username")},
	{"identity_invokedby", plain("useridentity.invokedby")},
	{"identity_provider", plain("useridentity.identityprovider")},
	{"issuer_arn", plain("useridentity.sessioncontext.sessionissuer.arn")},
	{"issuer_accountid", plain("useridentity.sessioncontext.sessionissuer.accountid")},
	{"issuer_username", plain("useridentity.sessioncontext.sessionissuer.username")},
	{"session_sourceidentity", plain("useridentity.sessioncontext.sourceidentity")},
	// Only long-term keys are kept: session keys (ASIA…) would split the
	// groups of every role session's calls.
	{"identity_accesskeyid", func(Dialect) string {
		return "CASE WHEN useridentity.accesskeyid LIKE 'AKIA%' THEN useridentity.accesskeyid ELSE '' END"
	}},
}, requestColumns(), []column{
	// The bucket a copy reads from leads x-amz-copy-source; bucket names
	// hold only these characters, so URL encoding cannot hide it.
	{"request_copysource", only(service("s3"), func(d Dialect) string {
		return "coalesce(regexp_extract(" + d.jsonField("requestparameters", "x-amz-copy-source") + ", '^/?[A-Za-z0-9._-]*'), '')"
	})},
	// Only whether a version was named matters, for S3's *Version actions.
	{"request_versioned", only(service("s3"), func(d Dialect) string {
		return "CASE WHEN " + d.jsonField("requestparameters", "versionId") + " <> '' THEN 'true' ELSE '' END"
	})},
	{"request_rolearn", only(samlUser, request("roleArn"))},
	{"request_principalarn", only(samlUser, request("principalArn"))},
	{"request_rolesessionname", only(samlUser, request("roleSessionName"))},
	{"request_sourceidentity", only(samlUser, request("sourceIdentity"))},
	// JSON keys match case-insensitively in the local engine's decoder:
	// Secrets Manager spelled arn "aRN" before 2024.
	{"response_arn", only(service("secretsmanager"), func(d Dialect) string {
		return "coalesce(nullif(" + d.jsonField("responseelements", "arn") + ", ''), nullif(" + d.jsonField("responseelements", "aRN") + ", ''), " + d.jsonField("responseelements", "ARN") + ")"
	})},
	{"response_subject", only(samlUser, response("subject"))},
	{"response_sourceidentity", only(samlUser, response("sourceIdentity"))},
	{"response_session", only(samlUser, response("assumedRoleUser", "arn"))},
	{"response_keyarn", only(service("kms"), response("keyMetadata", "arn"))},
	{"response_consolelogin", only("eventname = 'ConsoleLogin'", response("ConsoleLogin"))},
	resourcesColumn(),
})

// requestColumns are the request fields that name a resource of each kind,
// kept for events of the kind's service only.
func requestColumns() []column {
	var out []column
	for _, k := range activity.ResourceKinds() {
		for _, f := range k.RequestFields {
			out = append(out, column{"request_" + strings.ToLower(f), only(service(k.Service), request(f))})
		}
	}
	return out
}

// resourcesColumn is the resources the mapping reads: resources whole, and
// what they hold (objects) by their resource only, so that object keys do
// not split the groups.
func resourcesColumn() column {
	var services, whole, child []string
	for _, k := range activity.ResourceKinds() {
		if len(k.TrailTypes) == 0 && k.ChildTrailType == "" {
			continue
		}
		services = append(services, k.Service)
		for _, t := range k.TrailTypes {
			whole = append(whole, quoteString(t))
		}
		if k.ChildTrailType != "" {
			child = append(child, quoteString(k.ChildTrailType))
		}
	}
	return column{"resources", only(service(services...), func(d Dialect) string {
		sep := "chr(31)"
		elem := "CASE WHEN x.type IN (" + strings.Join(whole, ", ") + ") THEN concat(x.type, " + sep + ", coalesce(x.arn, ''), " + sep + ", coalesce(x.accountid, ''))" +
			" WHEN x.type IN (" + strings.Join(child, ", ") + ") THEN concat(x.type, " + sep + ", coalesce(regexp_extract(x.arn, '^[^/]*'), ''), " + sep + ", '') END"
		return "coalesce(" + d.joinList("resources", elem, "chr(30)") + ", '')"
	})}
}

// Aggregate columns of the query, after the grouping columns.
const (
	colFirst = "first_time"
	colLast  = "last_time"
	// colSeconds are the distinct times of day (HH:MM:SS) of the events,
	// separated by spaces: what keeps the stored times exact to the second
	// for a window that starts or ends inside a day.
	colSeconds = "seconds"
	colEvents  = "events"  // distinct events
	colRecords = "records" // records, duplicate deliveries included
)

// Window is what one query aggregates.
type Window struct {
	// Days are the UTC days whose events are aggregated.
	Days []time.Time
	// Accounts, when set, restricts the query to these accounts' folders.
	Accounts []string
}

// QuoteIdent quotes a database or table name.
func QuoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Query renders the aggregation over w's days of table (already quoted).
// CloudTrail delivers an event within minutes, in the folder of the day it
// is delivered, so the folders of each day and of the day after are read.
func Query(d Dialect, table string, w Window) string {
	days := append([]time.Time(nil), w.Days...)
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	var b strings.Builder
	b.WriteString("-- activity-extractor: usage aggregated per day (" + d.Name + ")\nSELECT\n")
	for _, c := range groupColumns {
		fmt.Fprintf(&b, "  %s,\n", c.name)
	}
	fmt.Fprintf(&b, "  min(eventtime) AS %s,\n  max(eventtime) AS %s,\n", colFirst, colLast)
	fmt.Fprintf(&b, "  %s AS %s,\n", d.joinDistinct("substr(eventtime, 12, 8)", "' '"), colSeconds)
	fmt.Fprintf(&b, "  count(DISTINCT coalesce(eventid, concat(eventtime, eventsource, eventname))) AS %s,\n", colEvents)
	fmt.Fprintf(&b, "  count(*) AS %s\nFROM (\n  SELECT\n", colRecords)
	for _, c := range groupColumns {
		fmt.Fprintf(&b, "    %s AS %s,\n", c.expr(d), c.name)
	}
	b.WriteString("    eventtime,\n    eventid\n")
	fmt.Fprintf(&b, "  FROM %s\n", table)
	first, last := days[0], days[len(days)-1].AddDate(0, 0, 1)
	fmt.Fprintf(&b, "  WHERE \"timestamp\" BETWEEN %s AND %s\n", quoteString(first.Format("2006/01/02")), quoteString(last.Format("2006/01/02")))
	var literals []string
	for _, day := range days {
		literals = append(literals, quoteString(day.Format(time.DateOnly)))
	}
	fmt.Fprintf(&b, "    AND substr(eventtime, 1, 10) IN (%s)\n", strings.Join(literals, ", "))
	if len(w.Accounts) > 0 {
		var accts []string
		for _, a := range w.Accounts {
			accts = append(accts, quoteString(a))
		}
		fmt.Fprintf(&b, "    AND account IN (%s)\n", strings.Join(accts, ", "))
	}
	b.WriteString(") AS events\nGROUP BY\n")
	for i, c := range groupColumns {
		sep := ","
		if i == len(groupColumns)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s%s\n", c.name, sep)
	}
	return b.String()
}
