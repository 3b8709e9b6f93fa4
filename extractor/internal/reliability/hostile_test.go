package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

const hostileAccount = "111111111111"

// hostileDir is a folder trail of one account and day.
func hostileDir(t *testing.T) (root, day string) {
	t.Helper()
	root = filepath.Join(t.TempDir(), "trail")
	day = filepath.Join(root, "AWSLogs", hostileAccount, "CloudTrail", "us-east-1", "2026", "11", "20")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, day
}

func gzipFile(t *testing.T, path string, write func(w *gzip.Writer)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	write(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func objectName(unique string) string {
	return hostileAccount + "_CloudTrail_us-east-1_20261120T1200Z_" + unique + ".json.gz"
}

// record is a successful GetObject by actor on bucket, with extra fields.
func record(i int, userIdentity map[string]any, extra map[string]any) map[string]any {
	r := map[string]any{
		"eventVersion": "1.09", "eventTime": fmt.Sprintf("2026-11-20T12:%02d:%02dZ", i/60%60, i%60),
		"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
		"eventID":            fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		"recipientAccountId": hostileAccount, "userIdentity": userIdentity,
		"requestParameters": map[string]any{"bucketName": "hostile-bucket", "key": "a/b"},
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func iamUser(name string) map[string]any {
	return map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::" + hostileAccount + ":user/" + name,
		"accountId": hostileAccount, "userName": name, "principalId": "AIDAEXAMPLE"}
}

func roleSession(role, session string) map[string]any {
	return map[string]any{"type": "AssumedRole", "accountId": hostileAccount, "principalId": "AROAEXAMPLE:" + session,
		"arn": "arn:aws:sts::" + hostileAccount + ":assumed-role/" + role + "/" + session,
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role",
			"arn": "arn:aws:iam::" + hostileAccount + ":role/" + role, "accountId": hostileAccount, "userName": role}}}
}

// maxRSS is the child's peak resident memory in bytes.
func (c *child) maxRSS() int64 {
	if ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}

// Case 5a: decompression bombs, a giant record, deep nesting and odd object
// names: each skipped with its reason or read, the rest counted, memory and
// time bounded.
func TestReliabilityHostileObjects(t *testing.T) {
	c := begin(t, "hostile-objects")
	root, day := hostileDir(t)
	write := func(unique string, records ...map[string]any) {
		gzipFile(t, filepath.Join(day, objectName(unique)), func(w *gzip.Writer) {
			if err := json.NewEncoder(w).Encode(map[string]any{"Records": records}); err != nil {
				t.Fatal(err)
			}
		})
		c.inputs++
	}
	// A bomb: 300 MiB (release: 4 GiB) of spaces inside the Records array,
	// a few hundred KiB compressed.
	gzipFile(t, filepath.Join(day, objectName("bomb")), func(w *gzip.Writer) {
		w.Write([]byte(`{"Records":[`))
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range size(300, 4096) {
			w.Write(spaces)
		}
		w.Write([]byte(`]}`))
	})
	c.inputs++
	// One record of 50 MB.
	write("giant", record(1, iamUser("giant"), map[string]any{"userAgent": strings.Repeat("x", 50<<20)}))
	// Nesting 100,000 deep, in a field the project reads and in one it skips.
	gzipFile(t, filepath.Join(day, objectName("nested")), func(w *gzip.Writer) {
		deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
		fmt.Fprintf(w, `{"Records":[{"eventTime":"2026-11-20T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":%s},`, deep)
		fmt.Fprintf(w, `{"eventTime":"2026-11-20T12:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","additionalEventData":%s,"eventID":"00000000-0000-4000-8000-999999999999","recipientAccountId":"%s","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::%s:user/nested","accountId":"%s"},"requestParameters":{"bucketName":"hostile-bucket"}}]}`,
			deep, hostileAccount, hostileAccount, hostileAccount)
	})
	c.inputs++
	// Odd names: not CloudTrail's, so not read as events, nor followed out
	// of the folder.
	for _, name := range []string{"a..b.json.gz", "..json.gz", "x\x01\x7fy.json.gz", "é \t%2e%2e.json.gz", "\x1b[31m.json.gz"} {
		if err := os.WriteFile(filepath.Join(day, name), []byte("not gzip"), 0o644); err != nil {
			t.Fatal(err)
		}
		c.inputs++
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(day, objectName("escape"))); err != nil {
		t.Fatal(err)
	}
	c.inputs++
	write("plain", record(2, iamUser("plain"), nil))

	// Memory follows the limit on one object's decompressed size: a
	// worker's buffer grows to at most twice the limit, and each of the two
	// workers may hold one.
	var db string
	for _, limit := range []int64{256 << 20, 64 << 20} {
		db = dbIn(t)
		began := time.Now()
		ch := startChild(t, nil, "--db", db, "extract", "--source", root, "--as-of", "2026-11-21T00:00:00Z",
			"--workers", "2", "--max-object-size", fmt.Sprint(limit))
		status := ch.wait()
		took := time.Since(began)
		c.runs++
		rss := ch.maxRSS()
		t.Logf("limit %d MiB: exit status %d in %s, peak RSS %d MiB", limit>>20, status, took.Round(time.Millisecond), rss>>20)
		if status != 3 {
			t.Errorf("exit status %d, want 3 (finished, some inputs skipped)\n%s", status, ch.stderr.String())
		}
		if bound := 2*2*limit + 512<<20; rss > bound {
			t.Errorf("limit %d MiB: peak RSS %d MiB, above %d MiB", limit>>20, rss>>20, bound>>20)
		}
		if took > 2*time.Minute {
			t.Errorf("took %s", took)
		}
	}
	errs := mustRun(t, nil, "--db", db, "errors")
	for _, want := range []string{"bomb", "decompresses past the limit", "nested", "exceeded max depth"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors do not mention %q:\n%s", want, errs)
		}
	}
	if strings.ContainsAny(errs, "\x1b\x01") {
		t.Errorf("errors print control characters raw:\n%q", errs)
	}
	var users []string
	rows, err := openStore(t, db).SQL().Query(`SELECT name FROM principals ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		users = append(users, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// The nested object is skipped whole: its second record is lost with
	// it, and the errors say so.
	if got := strings.Join(users, ","); got != "giant,plain" {
		t.Errorf("principals read: %s, want giant,plain", got)
	}
	c.faults = c.inputs - 1
	integrity(t, db)
}

// Case 5b: principal and session names holding HTML, SQL and terminal escape
// sequences: stored as they are (parameterised SQL), escaped in the HTML
// report, and shown without control characters in the terminal table.
func TestReliabilityHostileNames(t *testing.T) {
	c := begin(t, "hostile-names")
	root, day := hostileDir(t)
	names := []string{
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `x'); DROP TABLE principals; --`,
		`"; DROP TABLE usage_actions; --`, "\x1b[31mred\x1b[0m", "\x1b]0;title\x07bell", "tab\there", "{{.}}",
	}
	var records []map[string]any
	for i, n := range names {
		records = append(records, record(2*i, iamUser(n), nil))
		records = append(records, record(2*i+1, roleSession("deployer", n), nil))
	}
	gzipFile(t, filepath.Join(day, objectName("names")), func(w *gzip.Writer) {
		if err := json.NewEncoder(w).Encode(map[string]any{"Records": records}); err != nil {
			t.Fatal(err)
		}
	})
	c.inputs = len(records)
	db := dbIn(t)
	asOf := "2026-11-21T00:00:00Z"
	mustRun(t, nil, "--db", db, "extract", "--source", root, "--as-of", asOf)
	mustRun(t, nil, "--db", db, "score", "--as-of", asOf)
	c.runs = 5
	htmlOut := mustRun(t, nil, "--db", db, "report", "--format", "html", "--as-of", asOf)
	for _, raw := range []string{"<script>alert", "<img src=x", "\x1b"} {
		if strings.Contains(htmlOut, raw) {
			t.Errorf("HTML report holds %q unescaped", raw)
			c.faults++
		}
	}
	if !strings.Contains(htmlOut, "&lt;script&gt;alert(1)&lt;/") {
		t.Errorf("HTML report does not show the script-named user, escaped")
	}
	table := mustRun(t, nil, "--db", db, "report", "--format", "table", "--details", "--as-of", asOf)
	for _, b := range table {
		if b < 0x20 && b != '\n' || b == 0x7f {
			t.Errorf("table prints control character %q:\n%q", b, table)
			c.faults++
			break
		}
	}
	jsonOut := mustRun(t, nil, "--db", db, "report", "--format", "json", "--as-of", asOf)
	var rep struct {
		Principals []struct{ ARN string } `json:"principals"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	found := map[string]bool{}
	for _, p := range rep.Principals {
		found[p.ARN] = true
	}
	for _, n := range names {
		if arn := "arn:aws:iam::" + hostileAccount + ":user/" + n; !found[arn] {
			t.Errorf("JSON report lacks %q", arn)
		}
	}
	var principals, uses int
	sqlDB := openStore(t, db).SQL()
	if err := sqlDB.QueryRow(`SELECT count(*) FROM principals`).Scan(&principals); err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRow(`SELECT coalesce(sum(count), 0) FROM usage_actions`).Scan(&uses); err != nil {
		t.Fatal(err)
	}
	if uses != len(records) {
		t.Errorf("%d uses counted, want %d", uses, len(records))
		c.lost = len(records) - uses
	}
	t.Logf("%d principals, %d uses stored", principals, uses)
	integrity(t, db)
}

// Case 5c: a policy of thousands of statements is parsed and evaluated in
// bounded time and memory.
func TestReliabilityHugePolicy(t *testing.T) {
	c := begin(t, "policy-5000-statements")
	n := size(5000, 20000)
	var statements []map[string]any
	for i := range n {
		effect := "Allow"
		if i%7 == 0 {
			effect = "Deny"
		}
		statements = append(statements, map[string]any{
			"Sid": fmt.Sprintf("S%d", i), "Effect": effect,
			"Action":    []string{"s3:Get*", "s3:List*", fmt.Sprintf("kms:Decrypt%d", i)},
			"Resource":  []string{fmt.Sprintf("arn:aws:s3:::bucket-%d", i%500), fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i%500)},
			"Condition": map[string]any{"StringLike": map[string]any{"aws:userid": fmt.Sprintf("A*%d", i)}},
		})
	}
	// The statements spread over inline policies each within the bound
	// on a policy document, and one policy holding them all, beyond it.
	var inline []map[string]any
	total := 0
	for lo := 0; lo < n; lo += 100 {
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements[lo:min(lo+100, n)]})
		inline = append(inline, map[string]any{"PolicyName": fmt.Sprintf("part-%d", lo/100), "PolicyDocument": json.RawMessage(doc)})
		total += len(doc)
	}
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	user := func(name string, policies []map[string]any) map[string]any {
		return map[string]any{
			"Path": "/", "UserName": name, "UserId": "AIDA" + strings.ToUpper(name), "Arn": "arn:aws:iam::" + hostileAccount + ":user/" + name,
			"CreateDate": "2020-01-01T00:00:00Z", "UserPolicyList": policies, "GroupList": []string{}, "AttachedManagedPolicies": []any{},
		}
	}
	authz := map[string]any{
		"UserDetailList":  []map[string]any{user("many", inline), user("huge", []map[string]any{{"PolicyName": "all", "PolicyDocument": json.RawMessage(doc)}})},
		"GroupDetailList": []any{}, "RoleDetailList": []any{}, "Policies": []any{},
	}
	data, _ := json.Marshal(authz)
	file := filepath.Join(t.TempDir(), "authz.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--db", dbIn(t), "discover", "--authz-details", file}
	for i := range 500 {
		args = append(args, "--resource", fmt.Sprintf("arn:aws:s3:::bucket-%d", i))
	}
	c.inputs = n
	began := time.Now()
	ch := startChild(t, nil, args...)
	status := ch.wait()
	took := time.Since(began)
	c.runs = 1
	t.Logf("%d statements in %d policies, %d KiB, and one policy of %d KiB: exit status %d in %s, peak RSS %d MiB",
		n, len(inline), total>>10, len(doc)>>10, status, took.Round(time.Millisecond), ch.maxRSS()>>20)
	// The policy beyond the bound is left out and named; the rest is kept.
	if status != 3 || !strings.Contains(ch.stderr.String(), `user/huge inline all" is `) || !strings.Contains(ch.stderr.String(), "at most 131,072") {
		t.Fatalf("discover: exit status %d, want 3 naming the policy beyond the bound\n%s", status, ch.stderr.String())
	}
	if took > time.Duration(size(60, 300))*time.Second {
		t.Errorf("discover took %s", took)
	}
	if rss := ch.maxRSS(); rss > 1<<30 {
		t.Errorf("peak RSS %d MiB", rss>>20)
	}
}
