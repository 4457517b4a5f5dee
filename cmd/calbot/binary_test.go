package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// calbotBinary builds cmd/calbot once per test run with deploy/build.sh, as
// CI, the image and the operator build it.
func calbotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "calbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "calbot")
		cmd := exec.Command("bash", "../../deploy/build.sh", binPath)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// process is a running calbot binary.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

func startBinary(t *testing.T, dir string, environ []string) *process {
	t.Helper()
	cmd := exec.Command(calbotBinary(t))
	cmd.Dir = dir // no .env there: only the environment configures it
	cmd.Env = environ
	p := &process{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	cmd.Stdout = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait returns the exit code, failing t if the process does not end in time.
func (p *process) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("calbot: %v", err)
	case <-time.After(within):
		t.Fatalf("calbot did not exit within %s; output:\n%s", within, p.stderr.String())
	}
	return -1
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestBinaryStory(t *testing.T) {
	addr := freeAddr(t)
	public := "https://" + addr // behind a TLS proxy: /connect sends a login_url button
	tg := telegramfake.New(t, testBotToken)
	g := oauthfake.New(t, testClientID, testClientSecret, public+"/oauth/callback")
	cal := calendarfake.New(t, func(bearer string) (string, bool) {
		acct, _, ok := g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	cal.SetScopes(g.Scopes) // Google's scope checks, as in the harness
	cal.SetZone(aliceG.Email, "Europe/Moscow")
	dir := t.TempDir()
	environ := binaryEnv(addr, dir, tg, g, cal)
	p := startBinary(t, dir, environ)
	h := &harness{t: t, tg: tg, g: g, cal: cal, public: public, logs: p.stderr, web: newBrowser()}

	if m := h.say(alice, "/help"); !strings.Contains(m.Text, "/connect") {
		t.Fatalf("/help = %q", m.Text)
	}
	status, _, m := h.connect(alice, aliceG)
	if status != http.StatusOK || !strings.Contains(m.Text, "Connected as <b>alice@example.com</b>") {
		t.Fatalf("connect = %d, %q", status, m.Text)
	}
	if m := tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "every morning") {
		t.Errorf("after connecting: %q, want the agenda offer", m.Text)
	}
	if m := h.say(alice, "/add Стоматолог 25.11 9:30 1ч"); !strings.Contains(m.Text, "Стоматолог") || !strings.Contains(m.Text, "09:30–10:30") {
		t.Errorf("/add = %q", m.Text)
	}
	if m := h.say(alice, "/today"); !strings.Contains(m.Text, "Europe/Moscow") {
		t.Errorf("/today = %q", m.Text)
	}
	if key, err := os.Stat(filepath.Join(dir, "calbot.db.key")); err != nil || key.Mode().Perm() != 0o600 {
		t.Errorf("generated key file: %v, %v; want mode 600", key, err)
	}
	if db, err := os.Stat(filepath.Join(dir, "calbot.db")); err != nil || db.Mode().Perm() != 0o600 {
		t.Errorf("database file: %v, %v; want mode 600", db, err)
	}

	// The operator backs up the live database from a second process, over
	// the admin socket, since the file itself is locked.
	backupFile := filepath.Join(t.TempDir(), "backup.db")
	bcmd := exec.Command(calbotBinary(t), "backup", backupFile)
	bcmd.Dir, bcmd.Env = dir, environ
	if out, err := bcmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "from the running calbot") {
		t.Errorf("calbot backup = %v: %s", err, out)
	}
	if info, err := storage.Inspect(backupFile); err != nil || info.Links != 1 {
		t.Errorf("backup holds %d linked chats (%v), want 1", info.Links, err)
	}

	// A second calbot on the same database gives up quickly and says why.
	other := environ[:len(environ):len(environ)]
	other = append(other, "HTTP_ADDR="+freeAddr(t))
	second := startBinary(t, dir, other)
	if code := second.wait(t, 15*time.Second); code != 1 || !strings.Contains(second.stderr.String(), "another calbot is using DB_PATH") {
		t.Errorf("second calbot exited %d with %q", code, second.stderr.String())
	}

	if m := h.say(alice, "/disconnect"); !strings.Contains(m.Text, "Disconnected") {
		t.Errorf("/disconnect = %q", m.Text)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("calbot exited %d after SIGTERM, want 0; output:\n%s", code, p.stderr.String())
	}
	h.checkLogs()
	if u := g.Unexpected(); len(u) > 0 {
		t.Errorf("fake Google saw %q", u)
	}
}

// binaryEnv is the whole configuration of a calbot binary run against the
// fakes: environment variables only, as an operator would give them.
func binaryEnv(addr, dir string, tg *telegramfake.Server, g *oauthfake.Server, cal *calendarfake.Server) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"TELEGRAM_BOT_TOKEN=" + testBotToken,
		"PUBLIC_URL=https://" + addr,
		"GOOGLE_CLIENT_ID=" + testClientID,
		"GOOGLE_CLIENT_SECRET= " + testClientSecret + "\n", // pasted with white space
		"HTTP_ADDR=" + addr,
		"DB_PATH=" + filepath.Join(dir, "calbot.db"),
		"TELEGRAM_API_URL=" + tg.URL(),
		"GOOGLE_AUTH_URL=" + g.AuthURL(),
		"GOOGLE_TOKEN_URL=" + g.TokenURL(),
		"GOOGLE_REVOKE_URL=" + g.RevokeURL(),
		"GOOGLE_CALENDAR_URL=" + cal.URL(),
	}
}

// TestBinaryRestartLosesNothing kills calbot with SIGKILL while an /add is in
// flight, queues more commands while it is down, and restarts it: every
// update is handled exactly once, the /add makes one event, and the grant
// confirmed before the kill still works.
func TestBinaryRestartLosesNothing(t *testing.T) {
	addr := freeAddr(t)
	tg := telegramfake.New(t, testBotToken)
	g := oauthfake.New(t, testClientID, testClientSecret, "https://"+addr+"/oauth/callback")
	cal := calendarfake.New(t, func(bearer string) (string, bool) {
		acct, _, ok := g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	cal.SetScopes(g.Scopes) // Google's scope checks, as in the harness
	cal.SetZone(aliceG.Email, "Europe/Moscow")
	dir := t.TempDir()
	environ := append(binaryEnv(addr, dir, tg, g, cal), "TELEGRAM_CHAT_RATE=0")
	p := startBinary(t, dir, environ)
	h := &harness{t: t, tg: tg, g: g, cal: cal, public: "https://" + addr, logs: p.stderr, web: newBrowser()}
	if status, _, m := h.connect(alice, aliceG); status != http.StatusOK || !strings.Contains(m.Text, "Connected as") {
		t.Fatalf("connect = %d, %q", status, m.Text)
	}
	if m := tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "every morning") {
		t.Fatalf("after connecting: %q, want the agenda offer", m.Text)
	}

	arrived, release := cal.Hold("insert")
	defer release()
	tg.SendText(alice, telegramfake.Private(alice), "/add Lunch tomorrow 13:00")
	<-arrived
	p.cmd.Process.Kill() // SIGKILL: no chance to clean up
	p.wait(t, waitFor)
	release() // Google finishes the insert although calbot is gone
	tg.SendText(alice, telegramfake.Private(alice), "/today")
	tg.SendText(alice, telegramfake.Private(alice), "/add Dinner tomorrow 19:00")

	p2 := startBinary(t, dir, environ)
	for _, want := range []string{"Added <b>Lunch</b>", "(Europe/Moscow)", "Added <b>Dinner</b>"} {
		if m := tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, want) {
			t.Errorf("after the restart the bot said %q, want %q", m.Text, want)
		}
	}
	if m := h.say(alice, "/help"); !strings.Contains(m.Text, "/connect") {
		t.Errorf("an update was handled twice: next reply %q, want /help's", m.Text)
	}
	count := map[string]int{}
	for _, e := range cal.Events(aliceG.Email) {
		count[e.Summary]++
	}
	if count["Lunch"] != 1 || count["Dinner"] != 1 {
		t.Errorf("events after the restart = %v, want one Lunch and one Dinner", count)
	}
	p2.cmd.Process.Signal(syscall.SIGTERM)
	if code := p2.wait(t, 15*time.Second); code != 0 {
		t.Errorf("calbot exited %d after SIGTERM, want 0", code)
	}
	h.checkLogs()
}

func TestBinaryReportsEveryConfigProblem(t *testing.T) {
	secret := "GOCSPX-visible secret"
	p := startBinary(t, t.TempDir(), []string{
		"PATH=" + os.Getenv("PATH"),
		"TELEGRAM_BOT_TOKEN=not-a-token",
		"GOOGLE_CLIENT_ID=1234",
		"GOOGLE_CLIENT_SECRET=" + secret,
		"SECRET_KEY=c2hvcnQ=",
		"LOG_LEVEL=loud",
	})
	if code := p.wait(t, 15*time.Second); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	out := p.stderr.String()
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "PUBLIC_URL is not set", "GOOGLE_CLIENT_ID should end in .apps.googleusercontent.com", "GOOGLE_CLIENT_SECRET contains spaces", "SECRET_KEY decodes to 5 bytes", "LOG_LEVEL"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{"not-a-token", secret} {
		if bytes.Contains([]byte(out), []byte(leak)) {
			t.Errorf("output repeats a secret value %q", leak)
		}
	}
}

// TestBinaryVersion: the release build says which revision it is, on
// `calbot version` and `-version`.
func TestBinaryVersion(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("git rev-parse HEAD: %v", err)
	}
	for _, arg := range []string{"version", "-version"} {
		out, err := exec.Command(calbotBinary(t), arg).CombinedOutput()
		want := "(revision " + strings.TrimSpace(string(head))
		if err != nil || !strings.HasPrefix(string(out), "calbot ") || !strings.Contains(string(out), want) {
			t.Errorf("calbot %s = %v, %q; want a line with %q", arg, err, out, want)
		}
	}
}

// TestBinaryRefusesWrongSecretKey: with a SECRET_KEY that does not open the
// stored links, calbot exits at once with one line that says so, instead of
// starting and failing every linked chat; and `calbot backup` refuses to
// write over the key file.
func TestBinaryRefusesWrongSecretKey(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "calbot.db")
	seedDB(t, dbPath, bytes.Repeat([]byte{7}, 32), 2)
	os.WriteFile(keyFile(dbPath), []byte(testSecretKey+"\n"), 0o600)
	addr := freeAddr(t)
	environ := []string{
		"PATH=" + os.Getenv("PATH"),
		"TELEGRAM_BOT_TOKEN=" + testBotToken,
		"PUBLIC_URL=http://" + addr,
		"GOOGLE_CLIENT_ID=" + testClientID,
		"GOOGLE_CLIENT_SECRET=" + testClientSecret,
		"HTTP_ADDR=" + addr,
		"DB_PATH=" + dbPath,
		"TELEGRAM_API_URL=http://" + freeAddr(t), // never reached
	}
	p := startBinary(t, dir, environ)
	if code := p.wait(t, 15*time.Second); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	want := "calbot: the key file " + keyFile(dbPath) + " does not open the 2 linked chats in DB_PATH (" + dbPath + ")"
	if out := p.stderr.String(); !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("calbot said:\n%s\nwant one line starting %q", out, want)
	}

	before, _ := os.ReadFile(keyFile(dbPath))
	cmd := exec.Command(calbotBinary(t), "backup", "-force", keyFile(dbPath))
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is the key file of DB_PATH") {
		t.Errorf("calbot backup KEYFILE = %v, %q; want a refusal", err, out)
	}
	if after, _ := os.ReadFile(keyFile(dbPath)); !bytes.Equal(before, after) {
		t.Errorf("calbot backup changed the key file")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
