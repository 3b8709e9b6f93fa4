package athena

import (
	"sort"
	"strings"
	"time"
)

// Layout is where a trail's objects are: AWSLogs/[ORG/]ACCOUNT/CloudTrail/
// REGION/YYYY/MM/DD/ under a bucket and prefix.
type Layout struct {
	Bucket string
	Prefix string // without slashes at either end; may be empty
	// OrgID is set for an organization trail.
	OrgID string
	// Accounts and Regions are the values the projection enumerates.
	Accounts []string
	Regions  []string
	// Since is the first day the projection covers.
	Since time.Time
}

// logsRoot is s3://BUCKET/[PREFIX/]AWSLogs/[ORG/].
func (l Layout) logsRoot() string {
	root := "s3://" + l.Bucket + "/"
	if p := strings.Trim(l.Prefix, "/"); p != "" {
		root += p + "/"
	}
	root += "AWSLogs/"
	if l.OrgID != "" {
		root += l.OrgID + "/"
	}
	return root
}

// tableColumns are Athena's documented CloudTrail columns that the query
// reads, with the documented types, plus two fields CloudTrail writes that
// the documented table leaves out: useridentity.identityprovider (SAML
// federation) and sessioncontext.sourceidentity (who is behind a role
// session). Columns not listed are not read.
const tableColumns = `  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    identityprovider: STRING,
    sessioncontext: STRUCT<
      attributes: STRUCT<
        mfaauthenticated: STRING,
        creationdate: STRING>,
      sessionissuer: STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        username: STRING>,
      sourceidentity: STRING>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<
    arn: STRING,
    accountid: STRING,
    type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  sharedeventid STRING,
  eventcategory STRING`

// CreateTable renders the CREATE EXTERNAL TABLE statement of the trail's
// table (database and table already quoted for Hive DDL with backticks by
// HiveIdent). Partition projection on account, region and day means Athena
// computes the folders from the query's conditions: no crawler, no
// partition loading.
func CreateTable(table string, l Layout) string {
	var b strings.Builder
	b.WriteString("CREATE EXTERNAL TABLE IF NOT EXISTS " + table + " (\n")
	b.WriteString(tableColumns + "\n)\n")
	b.WriteString("PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)\n")
	b.WriteString("ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'\n")
	b.WriteString("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n")
	b.WriteString("OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n")
	b.WriteString("LOCATION " + quoteString(l.logsRoot()) + "\n")
	b.WriteString("TBLPROPERTIES (\n")
	props := projection(l)
	for i, p := range props {
		sep := ","
		if i == len(props)-1 {
			sep = ""
		}
		b.WriteString("  " + quoteString(p[0]) + " = " + quoteString(p[1]) + sep + "\n")
	}
	b.WriteString(")\n")
	return b.String()
}

// UpdateProjection renders the ALTER TABLE statement that sets the
// projected accounts and regions, which grow as accounts join.
func UpdateProjection(table string, l Layout) string {
	var parts []string
	for _, p := range projection(l) {
		if p[0] == "projection.account.values" || p[0] == "projection.region.values" {
			parts = append(parts, quoteString(p[0])+" = "+quoteString(p[1]))
		}
	}
	return "ALTER TABLE " + table + " SET TBLPROPERTIES (" + strings.Join(parts, ", ") + ")\n"
}

func projection(l Layout) [][2]string {
	accounts := sortedUnique(l.Accounts)
	regions := sortedUnique(l.Regions)
	return [][2]string{
		{"projection.enabled", "true"},
		{"projection.account.type", "enum"},
		{"projection.account.values", strings.Join(accounts, ",")},
		{"projection.region.type", "enum"},
		{"projection.region.values", strings.Join(regions, ",")},
		{"projection.timestamp.type", "date"},
		{"projection.timestamp.format", "yyyy/MM/dd"},
		{"projection.timestamp.interval", "1"},
		{"projection.timestamp.interval.unit", "DAYS"},
		{"projection.timestamp.range", l.Since.UTC().Format("2006/01/02") + ",NOW"},
		{"storage.location.template", l.logsRoot() + "${account}/CloudTrail/${region}/${timestamp}"},
	}
}

func sortedUnique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// HiveIdent quotes a name for Athena's DDL statements, which take Hive's
// backticks where queries take double quotes.
func HiveIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
